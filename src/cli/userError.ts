// An error the person at the terminal caused and can fix: printed as one line, exit code 1.
export class UserError extends Error {
  override readonly name = "UserError";
}

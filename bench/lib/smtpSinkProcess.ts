// An SMTP sink in its own process (the `smtp-server` package): accepts every message and
// remembers when each recipient's message was accepted (wall clock, ms), and how many mail
// transactions were ever in flight at once (how much of a sender's pool was really used).
// Forked by the bench runner: it sends `{ ready: port }`, answers `"report"` with the accepted
// times and the peak, and `"reset"` by forgetting them.

import { SMTPServer } from "smtp-server";

const accepted: Array<{ to: string; atMs: number }> = [];
let inFlight = 0;
let maxInFlight = 0;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  logger: false,
  size: 10 * 1024 * 1024,
  onMailFrom(_address, _session, callback) {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    callback();
  },
  onData(stream, session, callback) {
    stream.on("data", () => {});
    stream.on("end", () => {
      inFlight -= 1;
      const atMs = Date.now();
      for (const rcpt of session.envelope.rcptTo) accepted.push({ to: rcpt.address.toLowerCase(), atMs });
      callback();
    });
  },
});

server.listen(0, "127.0.0.1", () => {
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.send?.({ ready: port });
});

process.on("message", (message) => {
  if (message === "report") process.send?.({ accepted, maxInFlight });
  if (message === "reset") {
    accepted.length = 0;
    maxInFlight = 0;
    process.send?.({ ok: true });
  }
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

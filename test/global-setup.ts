// Runs once before the test files: nothing to prepare yet beyond checking the Node version.
export default function setup(): void {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 20) throw new Error(`Nudge needs Node.js 20 or newer; this is ${process.versions.node}`);
}

import { fuzzSuite } from "./fuzzSuite.ts";

fuzzSuite("sqlite", { part: 0, of: 2 });

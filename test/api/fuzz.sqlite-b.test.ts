import { fuzzSuite } from "./fuzzSuite.ts";

fuzzSuite("sqlite", { part: 1, of: 2 });

import { fuzzSuite } from "./fuzzSuite.ts";

fuzzSuite("sqlite");

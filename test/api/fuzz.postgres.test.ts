import { fuzzSuite } from "./fuzzSuite.ts";

fuzzSuite("postgres");

import { describe, expect, it } from "vitest";
import {
  ContactImportError,
  normalizeColumn,
  parseContactCsv,
  validateContactRow,
} from "../../src/api/contactImport.ts";

describe("contact CSV parsing", () => {
  it("numbers each row by the line it starts on and maps spreadsheet headers to our columns", () => {
    const { rows, rejected } = parseContactCsv(
      '\uFEFFEmail Address,First Name,Notes\nada@example.com,Ada,"two\nlines"\nbob@example.com,Bob,ok\n',
    );
    expect(rejected).toEqual([]);
    expect(rows.map((r) => r.row)).toEqual([2, 4]);
    expect(rows[0]?.values).toMatchObject({
      email: "ada@example.com",
      first_name: "Ada",
      notes: "two\nlines",
    });
  });

  it("rejects a row with more cells than the header names, and keeps the others", () => {
    const { rows, rejected } = parseContactCsv("email,first_name\na@x.com,A\nb@x.com,B,extra\nc@x.com,C\n");
    expect(rows.map((r) => r.values.email)).toEqual(["a@x.com", "c@x.com"]);
    expect(rejected).toEqual([{ row: 3, field: "(row)", message: expect.stringContaining("3 cells") }]);
  });

  it("refuses a file without an email column, naming it", () => {
    expect(() => parseContactCsv("name,phone\nAda,123\n")).toThrow(ContactImportError);
    expect(() => parseContactCsv("")).toThrow(/empty/);
    expect(() => parseContactCsv("email,Email\na@x.com,b@x.com\n")).toThrow(/twice/);
  });

  it("reports broken quoting as a rejected row with its line", () => {
    const { rejected } = parseContactCsv('email,first_name\na@x.com,"A"b\n');
    expect(rejected[0]).toMatchObject({ field: "(row)", row: 2 });
  });

  it("normalizes header spellings", () => {
    expect(normalizeColumn(" Time Zone ")).toBe("time_zone");
    expect(normalizeColumn("timezone")).toBe("time_zone");
    expect(normalizeColumn("Company Name")).toBe("company");
    expect(normalizeColumn("Favourite-Color")).toBe("favourite_color");
  });
});

describe("contact row validation", () => {
  it("splits tags on semicolons and turns unknown columns into custom fields", () => {
    const result = validateContactRow(
      {
        email: " Ada@Example.com ",
        tags: "vip; beta ;;vip",
        plan: "pro",
        seats: "",
        time_zone: "europe/paris",
      },
      2,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.contact.input).toEqual({
      email: "ada@example.com",
      tags: ["vip", "beta"],
      fields: { plan: "pro" },
      timeZone: "Europe/Paris",
    });
  });

  it("lists every problem of a bad row with its row number and field", () => {
    const result = validateContactRow(
      { email: "not-an-email", time_zone: "Mars/Olympus", phone: "call me", owner_email: "x" },
      7,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejected.map((r) => [r.row, r.field])).toEqual([
      [7, "email"],
      [7, "time_zone"],
      [7, "phone"],
      [7, "owner_email"],
    ]);
  });

  it("requires an email", () => {
    const result = validateContactRow({ first_name: "Ada" }, 3);
    expect(result).toEqual({
      ok: false,
      rejected: [{ row: 3, field: "email", message: "email is required" }],
    });
  });

  it("accepts phone numbers as people write them and refuses words", () => {
    for (const phone of ["+1 (212) 555-0123", "212.555.0123", "+44 20 7946 0958 ext 12"]) {
      expect(validateContactRow({ email: "a@b.co", phone }, 2).ok).toBe(true);
    }
    for (const phone of ["12345", "phone", "+1 212 555 0123 4567 8901"]) {
      expect(validateContactRow({ email: "a@b.co", phone }, 2).ok).toBe(false);
    }
  });

  it("refuses nested values in custom fields (JSON import)", () => {
    const result = validateContactRow({ email: "a@b.co", plan: { tier: "pro" } }, 0);
    expect(result.ok).toBe(false);
  });
});

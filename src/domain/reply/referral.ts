// Pulls the person a prospect points us to out of a reply: an address written in the text, a
// colleague added on Cc, and the name written next to "talk to", "reach out to", "cc'd".

import type { MailAddress, ParsedInbound, Referral } from "./types.ts";

const EMAIL = /[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+/g;
// A person's name: one to three capitalised words ("Jane", "Jane Smith", "María José García").
const NAME = /\p{Lu}[\p{Ll}'’-]+\.?(?:[ -](?:van |de |von |da |del )?\p{Lu}[\p{Ll}'’-]+){0,3}/uy;
const NOT_NAMES = new Set([
  "I",
  "We",
  "Our",
  "The",
  "My",
  "Me",
  "Him",
  "Her",
  "Them",
  "Us",
  "You",
  "Your",
  "They",
  "He",
  "She",
  "It",
  "This",
  "That",
  "Thanks",
  "Thank",
  "Hi",
  "Hello",
  "Please",
  "Sie",
  "Ihn",
  "Ihr",
  "Ihm",
  "Mich",
  "Uns",
  "Elle",
  "Lui",
  "Nous",
  "Vous",
  "Ella",
  "Él",
  "Nosotros",
  "Hij",
  "Zij",
  "Hem",
  "Haar",
  "Ons",
  "Head",
  "Director",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
]);
// Courtesy titles written before a name ("an Frau Petra Klein"): not part of the name.
const TITLES = new Set([
  "Mr",
  "Mrs",
  "Ms",
  "Dr",
  "Prof",
  "Frau",
  "Herr",
  "Herrn",
  "Mme",
  "Madame",
  "Monsieur",
  "Sr",
  "Sra",
  "Señor",
  "Señora",
  "Dhr",
  "Mevr",
]);

// Cue words after which a referred person's name follows, case-insensitive.
const NAME_CUES =
  /(?:talk|speak|reach out|get in touch|connect|write|chat)(?: directly)? (?:to|with)|(?:contact|email|e-mail|ping|ask|try)|(?:cc'd|cc'ed|cced|cc'ing|cc-ing|copied|copying|looped in|looping in|loop in|adding|added|included|introduce you to|introducing|forwarded (?:this|your (?:email|message|note)) to|passed (?:this|your (?:email|message|note)) (?:on |along )?to)|wenden sie sich (?:bitte )?an|sprechen sie (?:mit)|kontaktieren sie|in (?:cc|kopie)(?: gesetzt)?|contactez(?: plutôt)?|adressez-vous à|je mets en copie|mets en copie|(?:hable|habla|contacte|contacta|escriba|escribe) (?:con|a)|pongo en copia a|copio a|neem contact op met|spreek met/giu;
const FILLER =
  /^[\s,:]*(?:(?:my|our|mein(?:e|en)?|unsere[nm]?|notre|nuestra?|mijn|onze|colleague|coworker|co-worker|kollegin|kollegen|kollege|collègue|compañer[oa]|collega|boss|manager|head of [\p{L}&]+|director of [\p{L}&]+|vp(?: of)? [\p{L}&]+|cto|ceo|cfo|coo|cmo|cro|responsable|la|el|le|directly|instead|rather|here|on this email|on this thread|in cc)[\s,:]*)*/iu;

export function extractReferral(msg: ParsedInbound, reply: string): Referral | null {
  const own = ownAddresses(msg);
  const named = nameAfterCue(reply);
  const written = [...reply.matchAll(EMAIL)]
    .map((match) => ({ email: match[0].toLowerCase().replace(/\.$/, ""), index: match.index }))
    .find((candidate) => !own.has(candidate.email));
  if (written) {
    const name = nameBefore(reply, written.index) ?? named ?? undefined;
    return { ...(name ? { name } : {}), email: written.email };
  }
  const mentionsCc =
    /\bcc\b|cc'd|cc'ed|cc'ing|copied|copying|loop(?:ed|ing)? in|adding|added|included|kopie|copie|copia/i.test(
      reply,
    );
  const cc = msg.cc.find((address) => address.address && !own.has(address.address));
  if (cc && (mentionsCc || named)) {
    const name = (cc.name || named) ?? undefined;
    return { ...(name ? { name } : {}), email: cc.address };
  }
  return named ? { name: named } : null;
}

function ownAddresses(msg: ParsedInbound): Set<string> {
  const addresses: (MailAddress | null)[] = [msg.from, ...msg.to];
  return new Set(addresses.map((address) => address?.address ?? "").filter(Boolean));
}

function nameAfterCue(text: string): string | null {
  for (const cue of text.matchAll(NAME_CUES)) {
    const afterCue = cue.index + cue[0].length;
    const filler = FILLER.exec(text.slice(afterCue));
    const start = afterCue + (filler?.[0].length ?? 0);
    const name = nameAt(text, start);
    if (name) return name;
  }
  return null;
}

// "Jane Smith <jane@x>", "Jane Smith (jane@x)", "Jane Smith at jane@x", "Jane Smith: jane@x"
function nameBefore(text: string, emailIndex: number): string | null {
  const before = text.slice(Math.max(0, emailIndex - 60), emailIndex);
  const match =
    /(\p{Lu}[\p{Ll}'’-]+(?:[ -]\p{Lu}[\p{Ll}'’-]+){0,3})\s*(?:[<([]|,|:|-|–|at|unter|à|a|en|op)?\s*$/u.exec(
      before,
    );
  return match?.[1] ? cleanName(match[1]) : null;
}

function nameAt(text: string, index: number): string | null {
  NAME.lastIndex = index;
  const match = NAME.exec(text);
  return match ? cleanName(match[0]) : null;
}

function cleanName(candidate: string): string | null {
  const words = candidate.split(" ").map((word) => word.replace(/\.$/, ""));
  while (words.length > 0 && TITLES.has(words[0] ?? "")) words.shift();
  while (words.length > 0 && NOT_NAMES.has(words[words.length - 1] ?? "")) words.pop();
  if (words.length === 0 || NOT_NAMES.has(words[0] ?? "")) return null;
  return words.join(" ");
}

// Guesses which of the languages we parse a short message is written in, from common words.
// Only used to break ties the words cannot: US month/day versus European day/month numbers.

export type ReplyLanguage = "en" | "de" | "fr" | "es" | "nl" | "pt" | "sv";

const STOPWORDS: Record<ReplyLanguage, readonly string[]> = {
  en: ["the", "and", "you", "your", "will", "be", "with", "for", "of", "on", "am", "is", "my", "i", "to"],
  de: ["der", "die", "das", "und", "ich", "sie", "ihre", "mit", "nicht", "bin", "wieder", "bis", "im", "ist"],
  fr: [
    "le",
    "la",
    "les",
    "et",
    "je",
    "vous",
    "votre",
    "avec",
    "pour",
    "de",
    "du",
    "suis",
    "est",
    "au",
    "pas",
  ],
  es: [
    "el",
    "la",
    "los",
    "las",
    "y",
    "yo",
    "usted",
    "su",
    "con",
    "para",
    "estoy",
    "hasta",
    "de",
    "por",
    "que",
  ],
  nl: ["de", "het", "en", "ik", "u", "uw", "met", "voor", "niet", "ben", "tot", "weer", "van", "op", "een"],
  pt: ["o", "a", "os", "as", "e", "eu", "você", "seu", "com", "para", "estou", "até", "de", "não", "em"],
  sv: ["och", "jag", "du", "är", "med", "för", "inte", "till", "på", "att", "det", "en", "den", "om"],
};

const WORD = /[\p{L}']+/gu;

export function detectLanguage(text: string): ReplyLanguage {
  const counts = new Map<string, number>();
  for (const match of text.toLowerCase().matchAll(WORD)) {
    counts.set(match[0], (counts.get(match[0]) ?? 0) + 1);
  }
  let best: ReplyLanguage = "en";
  let bestScore = 0;
  for (const [language, words] of Object.entries(STOPWORDS) as [ReplyLanguage, readonly string[]][]) {
    let score = 0;
    for (const word of words) score += counts.get(word) ?? 0;
    // English wins ties: it is the language most replies are written in.
    if (score > bestScore) {
      best = language;
      bestScore = score;
    }
  }
  return best;
}

// Reads what a person's reply means for the sequence, from the words they just wrote (quoted
// history already removed). Intents are tried from the most to the least specific, so that
// "not interested right now, maybe next year" is a deferral and "I'm not the right person,
// talk to Jane" a referral, not a refusal.

import { extractReferral } from "./referral.ts";
import type { ReplyRule } from "./rule.ts";
import type { Classification, ReplyIntent } from "./types.ts";
import { unicodeWords } from "./unicodeWords.ts";

const WEEKDAY = "(?:monday|tuesday|wednesday|thursday|friday|mon|tue|tues|wed|thu|thurs|fri)";
const MONTH = "(?:january|february|march|april|may|june|july|august|september|october|november|december)";

const REFERRAL: readonly RegExp[] = words([
  /\b(?:i'm|i am|i'm probably|i am probably)? ?not the (?:right|best|correct|appropriate|relevant) (?:person|contact|one|guy)\b/i,
  /\bwrong (?:person|contact)\b/i,
  /\bnot the (?:decision[- ]maker|one (?:who|to talk to|you want))\b/i,
  /(?:^|[.!]\s+|\n)(?:you can |please )?(?:[Cc]ontact|[Ee]mail) (?=(?:my colleague |our )?(?:\p{Lu}\p{Ll}+\b|[\w.+-]+@))/u,
  /\byou(?:'d| would)? (?:should|might want to|may want to|want to|could|'ll want to) (?:talk|speak|reach out|get in touch|connect|contact|email)\b/i,
  /\b(?:better|best|right) (?:person|contact) (?:to (?:talk|speak|reach)|(?:here )?(?:is|would be))\b/i,
  /\b(?:is|would be) (?:the|a) (?:right|best|better|correct|more appropriate) (?:person|contact|one)\b/i,
  /\b(?:please )?(?:reach out|talk|speak|get in touch) (?:to|with)(?= (?!me\b|us\b|you\b|them\b|him\b|her\b)(?:my|our|\p{Lu}|[\w.+-]+@))/u,
  /\bi(?:'ve| have) (?:cc'd|cc'ed|cced|copied|added|looped in|included)\b/i,
  /\b(?:cc'ing|cc-ing|ccing|copying|looping in|adding)(?= (?:in )?(?:my|our|\p{Lu}))/u,
  /\b(?:forwarded|forwarding|passed|passing) (?:this|your (?:email|e-mail|message|note)) (?:on |along )?to\b/i,
  /\b(?:handles|owns|runs|is responsible for|is in charge of|takes care of|looks after|manages) (?:this|that|these|our (?:purchasing|procurement|tooling|vendor|sales|marketing|it|engineering|operations|ops))\b/i,
  /\bi(?:'m| am) no longer (?:with|at|working|responsible|in charge)\b/i,
  /\bnicht (?:der|die) (?:richtige|zuständige) ansprechpartner(?:in)?\b/i,
  /\b(?:bin|sind) (?:dafür )?nicht zuständig\b/i,
  /\bwenden sie sich (?:bitte |gerne )?an\b/i,
  /\b(?:ist|wäre) (?:der|die) (?:richtige|zuständige) ansprechpartner(?:in)?\b/i,
  /\b(?:habe|hab) (?:\S+ ){0,3}in (?:cc|kopie) (?:gesetzt|genommen)\b/i,
  /\bpas (?:la bonne personne|le bon interlocuteur|la bonne interlocutrice)\b/i,
  /\b(?:contactez plutôt|adressez-vous à|je mets (?:\S+ ){0,3}en copie|je vous mets en relation)\b/i,
  /\b(?:est|serait) (?:la bonne personne|le bon interlocuteur|la bonne interlocutrice)\b/i,
  /\bno soy la persona (?:adecuada|indicada|correcta)\b/i,
  /\b(?:es|sería) la persona (?:adecuada|indicada|correcta)\b/i,
  /\b(?:pongo|te pongo|le pongo) en copia\b/i,
  /\b(?:hable|habla|contacte|contacta) con\b/i,
  /\bniet de (?:juiste|aangewezen) persoon\b/i,
  /\bneem (?:\S+ )?contact op met\b/i,
]);

// A deferral: interested or not, the answer is "later", so the sequence should come back.
const NOT_NOW: readonly RegExp[] = words([
  /\bnot (?:right )?now\b/i,
  /\bnot at the moment\b/i,
  /\bnot (?:the right|a good) time\b/i,
  /\b(?:the )?timing (?:isn't|is not|isn't quite|is not quite) right\b/i,
  /\bbad timing\b/i,
  new RegExp(
    String.raw`\b(?:reach out|check back|circle back|touch base|follow up|get back to (?:me|us)|ping (?:me|us)|try (?:me|us) again|reconnect|revisit(?: this)?|contact (?:me|us))(?: again)? (?:in (?!a (?:few|couple of) days|\d+ days|the morning|the afternoon)|next (?!week|${WEEKDAY})|after (?!${WEEKDAY}|lunch)|around|early|later|at the (?:start|beginning|end) of)`,
    "i",
  ),
  /\bcircle back\b/i,
  /\b(?:next|the next) (?:quarter|year|fiscal year|budget cycle)\b/i,
  /\blater (?:this|next) year\b/i,
  new RegExp(
    String.raw`\b(?:maybe|perhaps|possibly|probably|until|in|after) (?:in )?(?:q[1-4]|the new year|${MONTH}|a (?:few|couple of) months|\d+ months|six months|the spring|the summer|the fall|the autumn)\b`,
    "i",
  ),
  /\b(?:just|recently|already) (?:signed|renewed|committed|started)(?: a \S+)? (?:with|a contract|an agreement)\b/i,
  /\b(?:locked|tied) into (?:a|an|our) (?:contract|agreement)\b/i,
  /\bunder contract (?:with|until)\b/i,
  /\bno budget (?:until|for this|this|left|right now|at the moment)\b/i,
  /\bbudget (?:is )?(?:frozen|freeze)\b/i,
  /\b(?:after|until) the holidays\b/i,
  /\bdown the road\b/i,
  /\bnot a priority (?:right now|at the moment|this (?:quarter|year))\b/i,
  /\b(?:derzeit|momentan|im moment|aktuell|zurzeit|gerade) (?:leider )?(?:nicht|kein(?:en)? (?:bedarf|budget))\b/i,
  /\bnicht (?:der )?richtige zeitpunkt\b/i,
  /\b(?:nächste[snm]?|im nächsten) (?:jahr|quartal)\b/i,
  /\bmelden sie sich (?:gerne |bitte )?(?:im|in|nächste|nach|wieder)\b/i,
  /\bpas (?:pour le moment|maintenant|pour l'instant|en ce moment|tout de suite)\b/i,
  /\b(?:l'année prochaine|le trimestre prochain|dans quelques mois|plus tard dans l'année)\b/i,
  /\b(?:recontactez|relancez)-(?:moi|nous)\b/i,
  /\brevenez vers (?:moi|nous)\b/i,
  /\b(?:por )?ahora no\b/i,
  /\b(?:de momento|en este momento) no\b/i,
  /\bno (?:en|por) (?:este|el) momento\b/i,
  /\b(?:el|del) (?:próximo|proximo) (?:año|trimestre)\b/i,
  /\bel año que viene\b/i,
  /\bm[áa]s adelante\b/i,
  /\b(?:vuelva|vuelve|vuelvan) a (?:contactar|escribir)/i,
  /\bdentro de (?:unos|algunos) meses\b/i,
  /\b(?:nu|op dit moment|momenteel) (?:even )?niet\b/i,
  /\bvolgend (?:jaar|kwartaal)\b/i,
  /\bover (?:een paar|enkele) maanden\b/i,
]);

const NOT_INTERESTED: readonly RegExp[] = words([
  /\bnot interested\b/i,
  /\bno interest\b/i,
  /\b(?:i'm|i am|we're|we are) not (?:looking|in the market|buying)\b/i,
  /\bno,? thanks?\b/i,
  /\bno,? thank you\b/i,
  /\b(?:we're|we are|i'm|i am) (?:all set|good for now|covered|happy with (?:our|what we have|the current))\b/i,
  /\b(?:not|isn't|is not|wouldn't be|won't be) (?:a |the )?(?:good |great |right )?fit\b/i,
  /\bnot relevant (?:for|to) (?:us|me|our)\b/i,
  /\b(?:we|i) (?:really )?(?:don't|do not) (?:need|have a need|see a need|have (?:a |any )?use)\b/i,
  /\b(?:we'll|we will|i'll|i will) pass\b/i,
  /\b(?:don't|do not|no need to) (?:follow up|reach out again)\b/i,
  /\bpass on this\b/i,
  /\b(?:not|won't be) (?:moving|going) forward\b/i,
  /\balready (?:have|use|using) (?:a|an|our own|another) (?:solution|tool|vendor|provider|platform|system)\b/i,
  /\bnot for us\b/i,
  /\bkein (?:interesse|bedarf)\b/i,
  /\bnicht interessiert\b/i,
  /\b(?:brauchen|benötigen) wir nicht\b/i,
  /\bnein,? danke\b/i,
  /\bpas intéressée?s?\b/i,
  /\bpas (?:très )?intéressant\b/i,
  /\b(?:ne (?:me|nous) intéresse pas|ne sommes pas intéressés|ça ne m'intéresse pas)\b/i,
  /\bnon,? merci\b/i,
  /\b(?:pas besoin|n'avons pas besoin|pas pertinent)\b/i,
  /\bno (?:me|nos) interesa\b/i,
  /\bno (?:estamos|estoy) interesad[oa]s?\b/i,
  /\bno,? gracias\b/i,
  /\bno (?:lo )?necesitamos\b/i,
  /\bgeen (?:interesse|behoefte)\b/i,
  /\bniet geïnteresseerd\b/i,
  /\bnee,? bedankt\b/i,
]);

const MEETING_REQUEST: readonly RegExp[] = words([
  /\blet's (?:set up|schedule|book|find|grab|have|hop on|jump on|get on|do) (?:a |some |an? )?(?:quick |short |brief )?(?:call|time|meeting|chat|demo|slot|\d+)/i,
  /\blet's (?:talk|chat|meet|connect|speak)\b/i,
  /\b(?:set up|schedule|book|arrange|organi[sz]e) (?:a |an |some )?(?:quick |short |brief |\d+[- ]min(?:ute)? )?(?:call|meeting|time|demo|chat|slot|intro)\b/i,
  /\b(?:send|share) (?:me |us |over )?(?:some |a few |your )?(?:times|availability|available times|slots|your calendar|a (?:calendar )?(?:invite|link))\b/i,
  /\b(?:calendar|meeting) (?:invite|invitation|link)\b/i,
  /\bwhat(?:'s| is| does) your (?:availability|calendar)\b/i,
  new RegExp(String.raw`\bare you (?:free|available) (?:on |at |this |next |tomorrow|${WEEKDAY})`, "i"),
  new RegExp(
    String.raw`\b(?:does|would|how about|how's|what about|works?) (?:next |this )?(?:${WEEKDAY}|tomorrow|next week|week)\b`,
    "i",
  ),
  new RegExp(String.raw`\bcall me (?:on |at |tomorrow|${WEEKDAY}|this|next|any|back|when)`, "i"),
  /\bgive me a (?:call|ring)\b/i,
  /\b(?:happy|glad|open|willing) to (?:chat|talk|meet|(?:jump|hop|get) on a (?:quick )?call|(?:set up|do|take|have) a (?:quick )?(?:call|meeting|demo)|see a demo)\b/i,
  new RegExp(
    String.raw`\b${WEEKDAY}(?: (?:morning|afternoon|at \d{1,2}(?::\d\d)?\s*(?:am|pm)?))? (?:works|would work|is good|is fine|suits)\b`,
    "i",
  ),
  /\b(?:can|could|shall) we (?:talk|chat|meet|schedule|set up|hop on|jump on|do a call|get on a call|find a time)\b/i,
  /\b(?:i'd|i would|we'd|we would) (?:love|like) (?:to see )?a demo\b/i,
  /\bopen to a (?:quick |short |brief )?(?:call|chat|conversation|meeting|demo)\b/i,
  new RegExp(
    String.raw`\b(?:call|meeting|demo|chat|talk) (?:on |this |next )?(?:${WEEKDAY}|tomorrow)\b`,
    "i",
  ),
  new RegExp(
    String.raw`\bi(?:'m| am) (?:free|available|around) (?:on |this |next )?(?:${WEEKDAY}|tomorrow|at \d)`,
    "i",
  ),
  /\b(?:can|could) you do (?:a )?(?:call|demo|meeting|quick call)\b/i,
  // A day and a time offered together is a proposal to meet: "Tuesday 3pm?", "Thu at 10:30".
  new RegExp(
    String.raw`\b${WEEKDAY},? (?:(?:at|around|after) \d{1,2}(?::\d\d)?\s*(?:am|pm)?|\d{1,2}(?::\d\d\s*(?:am|pm)?|\s*(?:am|pm|h|uhr)))\b`,
    "i",
  ),
  /\b(?:see|get|have|take) a (?:quick )?demo\b/i,
  /\b(?:here's|here is|use) my (?:calendar|calendly|booking)\b/i,
  /calendly\.com|cal\.com\/|meetings\.hubspot\.com/i,
  /\b(?:pick|grab|find) (?:a )?(?:time|slot)\b/i,
  /\b(?:free|available) (?:for a (?:call|chat)|to (?:talk|chat|meet))\b/i,
  /\btermin (?:vereinbaren|ausmachen|finden|machen|vorschlagen)\b/i,
  /\b(?:lassen sie uns|lass uns) (?:\S+ ){0,2}(?:telefonieren|sprechen|treffen)\b/i,
  /\b(?:können|könnten) wir (?:\S+ ){0,3}(?:telefonieren|sprechen|einen termin|ein gespräch)\b/i,
  /\b(?:schicken|senden) sie mir (?:\S+ ){0,2}(?:termine|terminvorschläge|zeitfenster|einen termin)\b/i,
  /\brufen sie mich (?:\S+ ){0,4}an\b/i,
  /\b(?:planifions|planifier|organiser|organisons|fixer|fixons|caler|calons|prendre|prenons) (?:un |une )?(?:appel|rendez-vous|réunion|rdv|démo|créneau|call)\b/i,
  /\b(?:envoyez|envoyez-moi|proposez-moi|proposez) (?:vos |des |quelques )?(?:disponibilités|créneaux)\b/i,
  /\bappelez-moi\b/i,
  /\b(?:pouvons|pourrions)-nous (?:en )?(?:parler|discuter|échanger|nous appeler)\b/i,
  /\b(?:agendar|agendemos|programar|programemos|concertar|organizar|tener) (?:una )?(?:llamada|reuni[óo]n|demo|cita)\b/i,
  /\b(?:hablemos|conversemos)\b/i,
  /\b(?:env[íi]ame|m[áa]ndame|env[íi]eme) (?:algunos |unos )?(?:horarios|opciones|disponibilidad)\b/i,
  /\b(?:ll[áa]mame|ll[áa]meme)\b/i,
  /\b(?:podemos|podríamos|podriamos) (?:hablar|tener una llamada|reunirnos)\b/i,
  /\b(?:een )?(?:afspraak|belletje|gesprek|call|demo) (?:in)?plannen\b/i,
  /\b(?:laten we|zullen we) (?:\S+ )?(?:bellen|afspreken)\b/i,
  /\bbel me\b/i,
]);

const QUESTION_WORDS = unicodeWords(
  /\b(?:how|what|which|who|where|when|why|does|do|is|are|can|could|will|would|should|wie|was|welche[rsmn]?|wer|wo|wann|warum|gibt es|funktioniert|comment|combien|quel(?:le)?s?|pourquoi|où|est-ce que|cómo|como|qué|cuál|cual|cuánto|cuanto|dónde|cuándo|por qué|hoe|wat|welke|waar|wanneer|waarom|hoeveel)\b/i,
);
const QUESTION_TOPICS: readonly RegExp[] = words([
  /\bhow much\b/i,
  /\bwhat(?:'s| is| are| does| do) (?:the |your )?(?:price|pricing|cost|costs|rate|fee)\b/i,
  /\bpricing\b/i,
  /\b(?:does|do|can|will|is) (?:it|this|your (?:product|tool|platform|solution|software|app)|you) (?:integrate|work|support|connect|sync|handle|offer|have|include|comply)\b/i,
  /\bintegrat(?:e|es|ion) with\b/i,
  /\b(?:was kostet|wie viel|wieviel|preis(?:e|modell)?)\b/i,
  /\b(?:combien|tarifs?|prix)\b/i,
  /\b(?:cu[áa]nto cuesta|precios?|cu[áa]nto vale)\b/i,
  /\b(?:wat kost|hoeveel|prijs|prijzen)\b/i,
]);

// Asking to be sent material is interest, even when phrased as a question ("can you send more info?").
const INTERESTED: readonly RegExp[] = words([
  /\bsounds (?:interesting|good|great|promising|intriguing|useful)\b/i,
  /\b(?:i'm|i am|we're|we are|i'd be|we'd be|very|definitely|might be|may be|could be|quite|genuinely) interested\b/i,
  /\binterested in (?:learning|hearing|seeing|knowing|this|your|a)\b/i,
  /\btell me more\b/i,
  /\b(?:send|share) (?:me |us |over )?(?:some |a bit of )?(?:more )?(?:info|information|details|a deck|the deck|your deck|material|case stud(?:y|ies)|a one-pager|a brochure|examples)\b/i,
  /\b(?:i'd|i would|we'd|we would) (?:like|love) to (?:learn|hear|know|see|understand) more\b/i,
  /\blearn more\b/i,
  /\b(?:keen|curious) to (?:learn|hear|see|know|try|understand)\b/i,
  /\bopen to (?:learning|hearing|it|this|exploring|trying)\b/i,
  /\bworth (?:a look|exploring|a conversation|a chat|discussing)\b/i,
  /\b(?:this|that) (?:could|might) (?:be (?:useful|helpful|interesting|a fit)|work for us|help us)\b/i,
  /\byes,? please\b/i,
  /^\s*(?:yes|yeah|yep|sure|absolutely|definitely|of course|ja|gerne|oui|volontiers|sí|claro|ja graag)\b[\s!,.]/i,
  /\bcount (?:me|us) in\b/i,
  /\bklingt (?:interessant|gut|spannend|vielversprechend)\b/i,
  /\b(?:bin|sind|wären|wäre) (?:sehr |durchaus )?interessiert\b/i,
  /\binteressiert (?:mich|uns)\b/i,
  /\bmehr (?:erfahren|informationen|infos|details)\b/i,
  /\b(?:ça|cela) (?:m'|nous )intéresse\b/i,
  /\b(?:très |plutôt )?intéressant\b/i,
  /\ben savoir plus\b/i,
  /\b(?:me|nos) interesa\b/i,
  /\b(?:suena|parece) (?:interesante|bien|muy bien)\b/i,
  /\bm[áa]s informaci[óo]n\b/i,
  /\bklinkt (?:interessant|goed)\b/i,
  /\b(?:ben|zijn) (?:zeer )?geïnteresseerd\b/i,
  /\bmeer (?:informatie|info)\b/i,
]);

function words(patterns: readonly RegExp[]): RegExp[] {
  return patterns.map(unicodeWords);
}

interface IntentVerdict {
  intent: ReplyIntent;
  phrase: string;
  confidence: number;
}

export const humanIntent: ReplyRule = (msg, ctx) => {
  const text = ctx.reply.replace(/[’‘]/g, "'");
  if (text.trim() === "") {
    return { class: "human_reply", intent: "other", rule: "no text of the author's own", confidence: 0.3 };
  }
  const verdict = readIntent(text);
  const classification: Classification = {
    class: "human_reply",
    intent: verdict.intent,
    rule: verdict.intent === "other" ? "no intent pattern matched" : `intent: "${verdict.phrase}"`,
    confidence: verdict.confidence,
  };
  if (verdict.intent === "referral") {
    const referral = extractReferral(msg, ctx.reply);
    if (referral) classification.referral = referral;
  }
  return classification;
};

export function readIntent(text: string): IntentVerdict {
  const referral = firstPhrase(REFERRAL, text);
  if (referral) return { intent: "referral", phrase: referral, confidence: 0.8 };
  const notNow = firstPhrase(NOT_NOW, text);
  if (notNow) return { intent: "not_now", phrase: notNow, confidence: 0.8 };
  const notInterested = firstPhrase(NOT_INTERESTED, text);
  if (notInterested) return { intent: "not_interested", phrase: notInterested, confidence: 0.85 };
  const meeting = firstPhrase(MEETING_REQUEST, text);
  if (meeting) return { intent: "meeting_request", phrase: meeting, confidence: 0.8 };
  const question = questionPhrase(text);
  if (question) return { intent: "question", phrase: question, confidence: 0.7 };
  const interested = firstPhrase(INTERESTED, text);
  if (interested) return { intent: "interested", phrase: interested, confidence: 0.75 };
  return { intent: "other", phrase: "", confidence: 0.4 };
}

function firstPhrase(patterns: readonly RegExp[], text: string): string | null {
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match) return match[0].trim();
  }
  return null;
}

// A question about the product: a sentence ending in "?" that asks something (and is not a
// request for material, which reads as interest), or a pricing/integration topic however phrased.
function questionPhrase(text: string): string | null {
  const topic = firstPhrase(QUESTION_TOPICS, text);
  if (topic) return topic;
  for (const sentence of text.split(/(?<=[.!?])\s+|\n+/)) {
    const trimmed = sentence.trim();
    if (!trimmed.endsWith("?") && !trimmed.startsWith("¿")) continue;
    if (firstPhrase(INTERESTED, trimmed)) continue;
    if (QUESTION_WORDS.test(trimmed)) return trimmed.length > 80 ? `${trimmed.slice(0, 77)}...` : trimmed;
  }
  return null;
}

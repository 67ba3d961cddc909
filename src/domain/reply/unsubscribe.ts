// Recognises a request to stop mailing: a reply asking to be removed (in seven languages), a
// mailto: unsubscribe sent by a mail client, or a spam complaint relayed by a feedback loop.
// Only requests count: "I can't unsubscribe from our newsletter at work either" is not one.

import type { ReplyRule } from "./rule.ts";
import { unicodeWords } from "./unicodeWords.ts";

const REPLY_PREFIX =
  /^(?:\s*(?:re|aw|antw|antwort|sv|vs|r|rif|ref|réf|res|rép|wg|fw|fwd|tr)\s*(?:\[\d+\])?\s*:\s*)+/i;

// A line that is nothing but the request: "Unsubscribe", "STOP", "Remove me please."
const BARE_REQUEST =
  /^[ \t]*(?:please[ \t]+)?(?:unsubscribe|remove|stop|opt[- ]?out|abmelden|austragen|désabonner|desabonner|désinscrire|desinscrire|désinscription|baja|darme de baja|afmelden|uitschrijven|descadastrar|avregistrera)(?:[ \t]+(?:me|us|mich|moi|please|bitte|por favor|svp|s'il vous plaît|alstublieft|aub))*[ \t.!]*$/im;

const REQUESTS: readonly RegExp[] = [
  /\bunsubscribe (?:me|us)\b/i,
  /\bplease unsubscribe\b/i,
  /\b(?:i|we)(?: would like|'d like| want| wish| need)(?: you)? to (?:unsubscribe|opt[- ]out|be removed|be taken off)\b/i,
  /\bhow (?:do|can) i unsubscribe\b/i,
  // "Remove me from the cc, Jane owns this" hands the thread on; it does not ask us to stop.
  /\bremove (?:me|us|my (?:e-?mail|address|name|details|contact))\b(?! from (?:the |this )?(?:cc|thread|chain|loop|conversation)\b)/i,
  /\btake (?:me|us|my (?:e-?mail|address|name)) off\b(?! (?:the |this )?(?:cc|thread|chain|loop|conversation)\b)/i,
  /\b(?:stop|quit) (?:emailing|e-mailing|mailing|contacting|messaging|spamming|writing to|sending (?:me|us))\b/i,
  /\bplease stop\b(?!\s+by\b)/i,
  /\b(?:do not|don't|dont|never) (?:contact|email|e-mail|message|write to|reach out to) (?:me|us)\b/i,
  /\bopt (?:me|us) out\b/i,
  /\bno (?:more|further) (?:e-?mails|emails|messages|contact)\b/i,
  /\bdelete (?:my|our) (?:data|details|information|e-?mail(?: address)?|contact)\b/i,
  /\bleave me alone\b/i,
  /\bmelden sie (?:mich|uns) (?:\S+\s+){0,3}ab\b/i,
  /\bbitte abmelden\b/i,
  /\b(?:mich|uns) (?:bitte )?(?:\S+\s+){0,4}(?:abmelden|austragen)\b/i,
  /\btragen sie (?:mich|uns) (?:\S+\s+){0,5}aus\b/i,
  /\b(?:verteiler|mailingliste|liste|newsletter)\b.{0,30}\b(?:entfernen|streichen|löschen|austragen)\b/i,
  /\bkeine (?:weiteren )?(?:e-?mails|mails|nachrichten)\b/i,
  /\b(?:kontaktieren|schreiben|anschreiben) sie mich (?:bitte )?nicht (?:mehr|wieder)\b/i,
  /\bentfernen sie (?:mich|meine)\b/i,
  /\bd[ée]sabonn\p{L}*/iu,
  /\bd[ée]sinscri\p{L}*/iu,
  /\bretirez[- ](?:moi|nous)\b/i,
  /\bme retirer de\b/i,
  /\bne (?:me|nous) (?:contactez|écrivez|ecrivez|sollicitez) plus\b/i,
  /\bne plus (?:recevoir|être contacté|etre contacte)\b/i,
  /\bsupprimez[- ](?:moi|mon adresse)\b/i,
  /\barr[êe]tez de (?:m'|nous )(?:envoyer|écrire|ecrire|contacter)/i,
  /\b(?:dar(?:me|nos)|d[ée]n(?:me|nos)|dadme|d[ée](?:me|nos)) de baja\b/i,
  /\bbaja de (?:la|su|vuestra|tu) lista\b/i,
  /\bno (?:me|nos) (?:contacten|contactes|escriban|escribas|env[íi]en) m[áa]s\b/i,
  /\belimin(?:en|e|ar) mi (?:correo|direcci[óo]n|email|e-mail)\b/i,
  /\bno (?:quiero|deseo|queremos|deseamos) recibir m[áa]s\b/i,
  /\bcancelar (?:la |mi )?suscripci[óo]n\b/i,
  /\bdesuscrib\p{L}*/iu,
  /\bafmelden\b/i,
  /\buitschrijven\b/i,
  /\bschrijf (?:me|mij|ons) uit\b/i,
  /\bmeld (?:me|mij|ons) af\b/i,
  /\bverwijder (?:me|mij|ons|mijn)\b/i,
  /\bgeen (?:e-?mails|mails|berichten) meer\b/i,
  /\bdescadastr\p{L}*/iu,
  /\bcancelar (?:a |minha )?inscri[çc][ãa]o\b/i,
  /\bremov(?:a|er)[- ]me\b/i,
  /\bn[ãa]o (?:me )?(?:envie|enviem|contate|contatem) mais\b/i,
  /\bavregistrera\b/i,
  /\bavsluta (?:min )?prenumeration\b/i,
  /\bta bort mig\b/i,
  /\bsluta (?:mejla|maila|skicka)\b/i,
].map(unicodeWords);

/**
 * A subject that is only an unsubscribe request: what RFC 2369 mailto: links and one-click
 * clients send on a person's behalf. It decides even when the client marks the mail automatic.
 */
export const unsubscribeSubject: ReplyRule = (msg) => {
  const subject = msg.subject.replace(REPLY_PREFIX, "").trim();
  if (!subject || !BARE_REQUEST.test(subject)) return null;
  return { class: "unsubscribe_request", rule: `subject pattern: "${subject}"`, confidence: 0.95 };
};

/** An abuse report (RFC 5965) from a mailbox provider's feedback loop: the person hit "spam". */
export const feedbackReport: ReplyRule = (msg) => {
  if (msg.reportType !== "feedback-report") return null;
  return {
    class: "unsubscribe_request",
    rule: "multipart/report; report-type=feedback-report (spam complaint)",
    confidence: 0.95,
  };
};

export const unsubscribeRequest: ReplyRule = (_msg, ctx) => {
  const text = ctx.reply.replace(/[’‘]/g, "'");
  const bare = BARE_REQUEST.exec(text);
  if (bare)
    return { class: "unsubscribe_request", rule: `body pattern: "${bare[0].trim()}"`, confidence: 0.9 };
  for (const pattern of REQUESTS) {
    const match = pattern.exec(text);
    if (match) return { class: "unsubscribe_request", rule: `body pattern: "${match[0]}"`, confidence: 0.9 };
  }
  return null;
};

// A voicemail drop: a call placed straight to voicemail that plays a recording (audio URL) or
// reads a script (text-to-speech) after the greeting's beep, and hangs up on a person.

import type { SmsDeliveryResult } from "../sms/provider.ts";

export interface VoicemailDrop {
  from: string;
  to: string;
  /** Read with text-to-speech when there is no recording. */
  script: string | null;
  audioUrl: string | null;
  statusCallbackUrl: string | null;
}

export interface VoiceProvider {
  dropVoicemail(drop: VoicemailDrop): Promise<SmsDeliveryResult>;
}

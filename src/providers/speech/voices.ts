/** Cloud TTS voice names and what each voice family accepts (pure data, shared by the voice and the config check). */

/** Voices used unless `google.voices` names another for the language. */
export const DEFAULT_VOICES: Record<string, string> = {
  'en-US': 'en-US-Neural2-D',
  'en-GB': 'en-GB-Neural2-B',
  'es-ES': 'es-ES-Neural2-B',
  'es-MX': 'es-US-Neural2-B',
  'fr-FR': 'fr-FR-Neural2-B',
  'de-DE': 'de-DE-Neural2-B',
  'it-IT': 'it-IT-Neural2-C',
  'pt-BR': 'pt-BR-Neural2-B',
  'pt-PT': 'pt-PT-Wavenet-B',
  'nl-NL': 'nl-NL-Wavenet-B',
  'pl-PL': 'pl-PL-Wavenet-B',
  'ru-RU': 'ru-RU-Wavenet-B',
  'el-GR': 'el-GR-Wavenet-A',
  'tr-TR': 'tr-TR-Wavenet-B',
  'hi-IN': 'hi-IN-Neural2-B',
  'ja-JP': 'ja-JP-Neural2-C',
  'zh-CN': 'cmn-CN-Wavenet-B',
  'ar-SA': 'ar-XA-Wavenet-B',
};

/** Voices that take plain text only (no SSML), so sentence timings come from speaking sentence by sentence. */
export const speaksPlainTextOnly = (voice: string) => /Chirp|Journey/i.test(voice);

/**
 * The speaking rates a voice accepts. AudioConfig.speakingRate is 0.25 to 4 for the service; Chirp 3 HD
 * voices' pace control takes 0.25 to 2 (https://cloud.google.com/text-to-speech/docs/chirp3-hd).
 */
export function speakingRateRange(voice: string): { min: number; max: number; family: string } {
  if (/-Chirp3-HD-/.test(voice)) return { min: 0.25, max: 2, family: 'Chirp 3 HD' };
  return { min: 0.25, max: 4, family: 'Cloud TTS' };
}

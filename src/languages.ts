/** Languages a story may be told in, with the espeak-ng voice that speaks each offline. */
export const LANGUAGES: Record<string, { name: string; espeakVoice: string }> = {
  'en-US': { name: 'English (US)', espeakVoice: 'en-us' },
  'en-GB': { name: 'English (UK)', espeakVoice: 'en-gb' },
  'es-ES': { name: 'Spanish (Spain)', espeakVoice: 'es' },
  'es-MX': { name: 'Spanish (Latin America)', espeakVoice: 'es-419' },
  'fr-FR': { name: 'French', espeakVoice: 'fr' },
  'de-DE': { name: 'German', espeakVoice: 'de' },
  'it-IT': { name: 'Italian', espeakVoice: 'it' },
  'pt-BR': { name: 'Portuguese (Brazil)', espeakVoice: 'pt-br' },
  'pt-PT': { name: 'Portuguese (Portugal)', espeakVoice: 'pt' },
  'nl-NL': { name: 'Dutch', espeakVoice: 'nl' },
  'pl-PL': { name: 'Polish', espeakVoice: 'pl' },
  'ru-RU': { name: 'Russian', espeakVoice: 'ru' },
  'el-GR': { name: 'Greek', espeakVoice: 'el' },
  'tr-TR': { name: 'Turkish', espeakVoice: 'tr' },
  'hi-IN': { name: 'Hindi', espeakVoice: 'hi' },
  'ja-JP': { name: 'Japanese', espeakVoice: 'ja' },
  'zh-CN': { name: 'Chinese (Mandarin)', espeakVoice: 'cmn-latn-pinyin' },
  'ar-SA': { name: 'Arabic', espeakVoice: 'ar' },
};

export function isLanguage(code: string): boolean {
  return Object.hasOwn(LANGUAGES, code);
}

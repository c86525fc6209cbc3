import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_GEMINI_KEY, geminiWriterAnswer, startGeminiFake } from '../fakes/gemini.js';
import type { FakeServer } from '../fakes/http.js';
import { FAKE_TTS_TOKEN, startTtsFake } from '../fakes/tts.js';

/**
 * The fakes refuse what Google refuses, with Google's bodies: requests our clients never make are sent
 * here by hand, so a fake that grows lenient fails this file (and the client tests stay meaningful).
 */

let fake: FakeServer | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; error: { code: number; status: string; message: string } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, error: (await res.json()).error };
}

describe('the Cloud TTS fake refuses what Cloud TTS refuses', () => {
  const synth = async (body: object) => {
    const f = await startTtsFake();
    fake = f;
    return post(`${f.url}/v1beta1/text:synthesize`, { authorization: `Bearer ${FAKE_TTS_TOKEN}` }, { audioConfig: { audioEncoding: 1 }, ...body });
  };
  const neural = { languageCode: 'en-US', name: 'en-US-Neural2-D' };

  it('a sentence too long for the voice, with the service’s message', async () => {
    const long = `${Array.from({ length: 40 }, (_, i) => `word${i} and more`).join(' ')}.`;
    const r = await synth({ input: { text: `Short one. ${long}` }, voice: neural });
    expect(r.status).toBe(400);
    expect(r.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(r.error.message).toBe(
      'This request contains sentences that are too long. Consider splitting up long sentences with sentence ending punctuation e.g. periods. Sentence starting with: "word0" is too long.',
    );
  });

  it('marks do not end a sentence: a long sentence cut only by marks is still refused', async () => {
    const clause = 'and the archive kept its ledgers in the cellar,';
    const r = await synth({ input: { ssml: `<speak>${Array.from({ length: 8 }, (_, i) => `<mark name="s${i}"/>${clause} `).join('')}<mark name="end"/></speak>` }, voice: neural });
    expect(r.error.message).toMatch(/sentences that are too long/);
  });

  it('SSML for a Chirp 3 HD voice, a voice that does not exist, a voice of another language, over 5000 bytes, a rate the voice refuses', async () => {
    const chirp = { languageCode: 'en-US', name: 'en-US-Chirp3-HD-Kore' };
    expect((await synth({ input: { ssml: '<speak>Hello.</speak>' }, voice: chirp })).error.message).toBe(
      'This voice currently does not support SSML input. Please try again with text only input.',
    );
    await fake!.close();
    // pt-PT has WaveNet voices, no Neural2 ones
    expect((await synth({ input: { text: 'Olá.' }, voice: { languageCode: 'pt-PT', name: 'pt-PT-Neural2-A' } })).error.message).toBe("Voice 'pt-PT-Neural2-A' does not exist. Is it misspelled?");
    await fake!.close();
    expect((await synth({ input: { text: 'Hello.' }, voice: { languageCode: 'en-GB', name: 'en-US-Neural2-D' } })).error.message).toBe(
      "Requested language code 'en-GB' doesn't match the voice 'en-US-Neural2-D''s language code 'en-us'. Either pick a different voice, or change the requested language code to en-us.",
    );
    await fake!.close();
    const big = await synth({ input: { text: 'Short. '.repeat(800) }, voice: neural });
    expect(big.status).toBe(400);
    expect(big.error.message).toMatch(/^Either `input.text` or `input.ssml` is longer than the limit of 5000 bytes/);
    await fake!.close();
    const fast = await synth({ input: { text: 'Hello.' }, voice: chirp, audioConfig: { audioEncoding: 1, speakingRate: 4 } });
    expect(fast).toMatchObject({ status: 400, error: { status: 'INVALID_ARGUMENT' } });
    expect(fast.error.message).toMatch(/speaking_rate 4 is out of range \[0.25, 2\]/);
  });
});

describe('the Gemini fake refuses what the Gemini API refuses', () => {
  const generate = async (model: string, generationConfig: object) => {
    const f = await startGeminiFake(geminiWriterAnswer());
    fake = f;
    const contents = [{ role: 'user', parts: [{ text: 'Hello' }] }];
    return post(`${f.url}/v1beta/models/${model}:generateContent`, { 'x-goog-api-key': FAKE_GEMINI_KEY }, { contents, generationConfig });
  };

  it('an unknown model id: 404 NOT_FOUND with the API’s message, for generateContent and for models.get', async () => {
    const r = await generate('gemini-2.5-flash', {});
    expect(r.status).toBe(404);
    expect(r.error).toEqual({
      code: 404,
      status: 'NOT_FOUND',
      message: 'models/gemini-2.5-flash is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.',
      details: [],
    });
    const got = await fetch(`${fake!.url}/v1beta/models/gemini-2.5-flash`, { headers: { 'x-goog-api-key': FAKE_GEMINI_KEY } });
    expect(got.status).toBe(404);
  });

  it('an image answer from a text model, a thinkingConfig for a model without one, two schemas, a schema without JSON, an unknown setting', async () => {
    const cases: [string, object, RegExp][] = [
      ['gemini-3.8-flash', { responseModalities: ['IMAGE'] }, /^Model does not support the requested response modalities: image$/],
      ['gemini-3.1-flash-image', { responseModalities: ['IMAGE'], thinkingConfig: { thinkingBudget: 1024 } }, /^Thinking is not enabled for models\/gemini-3.1-flash-image$/],
      ['gemini-3.8-flash', { responseMimeType: 'application/json', responseSchema: { type: 'OBJECT' }, responseJsonSchema: { type: 'object' } }, /cannot both be set/],
      ['gemini-3.8-flash', { responseJsonSchema: { type: 'object' } }, /response_mime_type/],
      ['gemini-3.8-flash', { responseFormat: 'json' }, /^Invalid JSON payload received. Unknown name "responseFormat" at 'generation_config': Cannot find field.$/],
      ['gemini-3.1-flash-image', { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '7:3' } }, /aspect ratio/],
    ];
    for (const [model, config, message] of cases) {
      const r = await generate(model, config);
      expect(r.status, JSON.stringify(config)).toBe(400);
      expect(r.error.status).toBe('INVALID_ARGUMENT');
      expect(r.error.message).toMatch(message);
      await fake!.close();
      fake = null;
    }
    // what our clients send passes
    expect((await generate('gemini-3.8-flash', { responseMimeType: 'application/json', responseJsonSchema: { type: 'object' } })).status).toBe(200);
  });
});

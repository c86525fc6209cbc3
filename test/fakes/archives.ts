import type { AnswerCache } from '../../src/providers/image/archive/http.js';
import { archivePictures } from './archive-pictures.js';
import { type CommonsRecord, startCommonsFake } from './commons.js';
import { type LocRecord, startLocFake } from './loc.js';

/** Both archive fakes with one small collection about Alexandria: usable, refused, tiny and portrait records. */

export const CONTACT = 'LostArchivesTest/1.0 (https://example.org/lost-archives; ops@example.org)';

export async function startArchiveFakes(dir: string) {
  const pics = await archivePictures(dir);
  const commonsRecords: CommonsRecord[] = [
    {
      name: 'Library_of_Alexandria_temple_engraving.jpg',
      description: 'Engraving of the temple front of the Library of Alexandria, from a nineteenth-century history',
      artist: '<a href="//commons.wikimedia.org/wiki/Creator:O._Von_Corven" title="Creator:O. Von Corven">O. Von Corven</a>',
      license: 'pd',
      licenseShortName: 'Public domain',
      width: 1400,
      height: 1000,
      mime: 'image/jpeg',
      bytes: pics.engraving,
    },
    {
      name: 'Alexandria_scroll_fragment_reconstruction.jpg',
      description: 'Reconstruction of a scroll fragment from Alexandria',
      artist: 'A. Modernartist',
      license: 'cc-by-nc-sa-4.0',
      licenseShortName: 'CC BY-NC-SA 4.0',
      licenseUrl: 'https://creativecommons.org/licenses/by-nc-sa/4.0',
      width: 1600,
      height: 900,
      mime: 'image/jpeg',
      bytes: pics.engraving,
    },
    {
      name: 'Alexandria_lighthouse_sketch.jpg',
      description: 'A small sketch of the lighthouse of Alexandria',
      artist: 'Unknown',
      license: 'cc0',
      licenseShortName: 'CC0',
      width: 160,
      height: 120,
      mime: 'image/jpeg',
      bytes: pics.tiny,
    },
  ];
  const locRecords: LocRecord[] = [
    {
      id: '2004671234',
      title: 'Portrait of a scholar of Alexandria, librarian',
      description: 'Photograph, head-and-shoulders portrait of a librarian and scholar of Alexandria.',
      creator: 'Bonfils, Félix',
      rightsAdvisory: 'No known restrictions on publication.',
      width: 700,
      height: 1000,
      bytes: pics.portrait,
      thumb: pics.thumb,
    },
    {
      id: '2004679999',
      title: 'Alexandria harbour, scroll merchants',
      description: 'Photograph of the harbour of Alexandria with scroll merchants.',
      rightsAdvisory: 'Rights status not evaluated. For general information see "Copyright and Other Restrictions..."',
      width: 1600,
      height: 1000,
      bytes: pics.engraving,
    },
  ];
  const commons = await startCommonsFake(commonsRecords);
  const loc = await startLocFake(locRecords);
  return {
    commons,
    loc,
    pics,
    config: { commonsUrl: `${commons.url}/w/api.php`, locUrl: loc.url, userAgent: CONTACT, requestGapSeconds: 0, retry: { attempts: 3, baseSeconds: 0.05, maxSeconds: 2 } },
    close: async () => {
      await commons.close();
      await loc.close();
    },
  };
}

/** An AnswerCache in memory, counting what it keeps. */
export function memoryCache(): AnswerCache & { size: () => number } {
  const m = new Map<string, Buffer>();
  return { get: async (k) => m.get(k) ?? null, put: async (k, b) => void m.set(k, b), size: () => m.size };
}

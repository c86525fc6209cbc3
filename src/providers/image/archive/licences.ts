import { plainText } from './http.js';

/**
 * Which pictures may be used: public domain, CC0, CC BY and CC BY-SA, read from each record's own
 * metadata. Anything else, or a record that does not say, is refused with the reason; nothing is guessed.
 */

export type Licence = { ok: true; name: string; url: string | null; author: string | null } | { ok: false; why: string };

const value = (meta: any, field: string): string => plainText(meta?.[field]?.value);

/** Commons: extmetadata `License` (machine code), `LicenseShortName`, `LicenseUrl`, `NonFree`, `Restrictions`, `Artist`, `Credit`. */
export function commonsLicence(meta: any): Licence {
  const code = value(meta, 'License').toLowerCase();
  const short = value(meta, 'LicenseShortName');
  if (value(meta, 'NonFree').toLowerCase() === 'true') return { ok: false, why: `non-free (${short || code || 'no licence named'})` };
  const restrictions = value(meta, 'Restrictions');
  if (restrictions) return { ok: false, why: `restrictions beyond the licence: ${restrictions}` };
  const author = value(meta, 'Artist') || value(meta, 'Credit') || null;
  let name: string | null = null;
  if (code === 'pd' || /^pd-/.test(code)) name = 'Public domain';
  else if (code === 'cc0') name = 'CC0';
  else {
    const cc = /^cc-(by(?:-sa)?)-(\d+(?:\.\d+)?)$/.exec(code);
    if (cc) name = `CC ${cc[1].toUpperCase()} ${cc[2]}`;
  }
  if (!name) return { ok: false, why: `licence ${short || code || 'not stated'} is not public domain, CC0, CC BY or CC BY-SA` };
  const attribution = name.startsWith('CC BY') || value(meta, 'AttributionRequired').toLowerCase() === 'true';
  if (attribution && !author) return { ok: false, why: `${name} asks for attribution and the record names no author` };
  return { ok: true, name, url: value(meta, 'LicenseUrl') || null, author };
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v : v == null ? [] : [v]).map((x) => String(x).trim()).filter(Boolean);

/**
 * The Library of Congress: the record's `rights_advisory` (item or top level). Only its own statement
 * "No known restrictions on publication" is taken (what it writes for public-domain material); "Rights
 * status not evaluated", "Publication may be restricted" and any other wording are refused, as are
 * records marked `access_restricted`.
 */
export function locLicence(record: any): Licence {
  if (record?.access_restricted === true) return { ok: false, why: 'access restricted' };
  const advisory = [...asList(record?.item?.rights_advisory), ...asList(record?.rights_advisory)];
  if (!advisory.length) return { ok: false, why: 'the record states no rights' };
  const statement = advisory.join(' ');
  if (!/^no known restrictions on publication\b/i.test(statement) || /may be restricted|not evaluated|permission/i.test(statement)) {
    return { ok: false, why: `rights: "${statement.slice(0, 120)}"` };
  }
  const author = asList(record?.item?.creator ?? record?.contributor)[0] ?? null;
  return { ok: true, name: 'Public domain (no known restrictions on publication, per the Library of Congress)', url: null, author };
}

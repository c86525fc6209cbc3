import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/services.js';

/** A config file the parser refuses: the CLI says where (file, line, column) and the parser's reason. */

const cases: [string, string, string, RegExp][] = [
  ['JSON cut short', '.lost-archivesrc.json', '{', /^error: cannot read the config file \S*\.lost-archivesrc\.json:1:2: Expected property name or '\}'\n {2}> 1 \| \{/],
  ['JSON with a trailing comma', '.lost-archivesrc.json', '{\n  "dataDir": "x",\n}\n', /\.lost-archivesrc\.json:3:1: Expected double-quoted property name\n[\s\S]*> 3 \| \}/],
  ['YAML with an open bracket', '.lost-archivesrc.yaml', 'dataDir: x\nvideo: {width: 3\n  bad: [\n', /\.lost-archivesrc\.yaml:3:6: missed comma between flow collection entries\n[\s\S]*3 \| {3}bad: \[/],
  ['TypeScript missing a comma', 'lost-archives.config.ts', 'export default {\n  dataDir: "x"\n  video: {},\n};\n', /lost-archives\.config\.ts:3:2: ParseError: Unexpected token, expected ","/],
];

describe('a config file that does not parse', () => {
  it.each(cases)('%s: exit 2 with file, line, column and the reason', async (_what, file, text, message) => {
    const cwd = tempDir('la-hyg-config-');
    fs.writeFileSync(path.join(cwd, file), text);
    const found = await runCli(['status'], { cwd });
    expect(found.code).toBe(2);
    expect(found.stderr).toMatch(message);
    expect(found.stderr).not.toMatch(/\n\s+at /);
    // the same through --config
    const given = await runCli(['status', '--config', file], { cwd });
    expect(given.code).toBe(2);
    expect(given.stderr).toMatch(message);
  });
});

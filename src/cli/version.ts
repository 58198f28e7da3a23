// falconet's version, from package.json: --version, the http user agent, falconet_build_info.

import { readFileSync } from 'node:fs';

export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

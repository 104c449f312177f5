/**
 * A headless Chromium for tests that look at a page, on any machine `npm ci` ran on.
 *
 * Debian's Chromium is preferred when it is installed (`/usr/bin/chromium`: updated by the system, and
 * what a developer looks at by hand). Otherwise the browser comes from the registry:
 * @sparticuz/chromium carries a headless-shell build of Chromium inside its npm tarball, with the
 * nss/nspr libraries it links against (its al2023 archive) and its fonts, so it runs on a machine that
 * has nothing but Node and npm, and nothing is downloaded at run time. Its archives are unpacked once
 * into node_modules/.cache, by a rename at the end, so a run killed halfway leaves no broken browser
 * that a later run would take for whole.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface Browser {
  executablePath: string;
  /** Variables the browser needs in its environment (the bundled libraries and fonts). */
  env: Record<string, string>;
  /** Flags for a headless run as root in a container. */
  args: string[];
  /** Where it came from, for the test's name and its failures. */
  source: string;
}

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const commonArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Archives of @sparticuz/chromium, unpacked side by side: the binary, fonts, swiftshader, libraries. */
const archives = ['chromium.br', 'fonts.tar.br', 'swiftshader.tar.br', 'al2023.tar.br'];

export async function findBrowser(): Promise<Browser> {
  if (existsSync(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM, env: {}, args: ['--headless', ...commonArgs], source: `Debian's Chromium (${DEBIAN_CHROMIUM})` };
  return bundledChromium();
}

async function bundledChromium(): Promise<Browser> {
  const require = createRequire(import.meta.url);
  // The package's main entry is build/index.js; its archives sit in bin/ beside build/.
  const packageDir = path.resolve(path.dirname(require.resolve('@sparticuz/chromium')), '..');
  const version = (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  const cacheRoot = path.resolve(packageDir, '..', '..', '.cache', 'pagerace-chromium');
  const dir = path.join(cacheRoot, version);
  if (!existsSync(path.join(dir, 'chromium'))) await unpack(packageDir, cacheRoot, dir);
  return {
    executablePath: path.join(dir, 'chromium'),
    env: { LD_LIBRARY_PATH: [path.join(dir, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), FONTCONFIG_PATH: path.join(dir, 'fonts'), HOME: dir },
    // The bundled build is chrome-headless-shell: it needs --headless=shell and no zygote as root.
    args: ['--headless=shell', '--no-zygote', '--single-process', ...commonArgs],
    source: `@sparticuz/chromium ${version} (${dir})`,
  };
}

async function unpack(packageDir: string, cacheRoot: string, dir: string): Promise<void> {
  // The package unpacks into os.tmpdir(), which follows TMPDIR: point it at a folder of our own for the
  // length of the unpacking, then move the whole folder into place.
  const staging = path.join(cacheRoot, `staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  try {
    const { inflate } = (await import('@sparticuz/chromium')) as unknown as { inflate: (file: string) => Promise<string> };
    for (const archive of archives) await inflate(path.join(packageDir, 'bin', archive));
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  try {
    renameSync(staging, dir);
  } catch (error) {
    // Another test process got there first: its copy is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(path.join(dir, 'chromium'))) throw error;
  }
}

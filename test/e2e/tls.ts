// A throwaway PKI for the TLS e2e tests, made with the openssl CLI (EC P-256, so it takes tens of
// milliseconds): a CA, a server certificate for 127.0.0.1, ::1 and localhost, a client certificate
// for mutual TLS, and a second CA that signed none of them, for tests that must be refused. Our own
// openssl config is used throughout, so the host's openssl.cnf cannot add or change extensions.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OPENSSL = 'openssl';
export const CLIENT_CN = 'falconet-test-client';

/** Why TLS tests cannot run here, or undefined. They fail with this reason; they never skip. */
export function opensslProblem(): string | undefined {
  const v = spawnSync(OPENSSL, ['version'], { encoding: 'utf8' });
  if (v.error) return `openssl is missing (${v.error.message}): bash scripts/setup-tests.sh installs it`;
  if (v.status !== 0) return `openssl version failed: ${v.stderr.trim()}`;
  return undefined;
}

/** Paths of PEM files in the directory given to makeTestPki. */
export interface TestPki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here: trusting only it must refuse the server and the client. */
  otherCaCert: string;
  /** The PEM text of one of the files above. */
  pem(path: string): string;
}

const CONFIG = `# Written by test/e2e/tls.ts; only the sections named on the command line are used.
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/** Makes the PKI in `dir` (created if missing; files there are overwritten). */
export function makeTestPki(dir: string): TestPki {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'openssl.cnf');
  writeFileSync(config, CONFIG);
  const openssl = (...args: string[]) => {
    try {
      execFileSync(OPENSSL, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OPENSSL_CONF: config } });
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`openssl ${args.join(' ')} failed: ${stderr || (err as Error).message}`);
    }
  };
  const file = (name: string) => join(dir, name);
  const key = (name: string) => {
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(`${name}.key`));
    return file(`${name}.key`);
  };
  const ca = (name: string, cn: string) => {
    const k = key(name);
    openssl('req', '-new', '-x509', '-config', config, '-extensions', 'ca', '-key', k, '-subj', `/CN=${cn}`, '-days', '7', '-sha256', '-out', file(`${name}.crt`));
    return { cert: file(`${name}.crt`), key: k };
  };
  const signed = (name: string, cn: string, issuer: { cert: string; key: string }) => {
    const k = key(name);
    openssl('req', '-new', '-config', config, '-key', k, '-subj', `/CN=${cn}`, '-out', file(`${name}.csr`));
    openssl(
      'x509', '-req', '-in', file(`${name}.csr`), '-CA', issuer.cert, '-CAkey', issuer.key,
      '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '7', '-sha256',
      '-extfile', config, '-extensions', name, '-out', file(`${name}.crt`),
    );
    return { cert: file(`${name}.crt`), key: k };
  };

  const root = ca('ca', 'falconet-test-ca');
  const server = signed('server', 'localhost', root);
  const client = signed('client', CLIENT_CN, root);
  const other = ca('other-ca', 'falconet-other-ca');
  return {
    caCert: root.cert,
    caKey: root.key,
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    otherCaCert: other.cert,
    pem: (path) => readFileSync(path, 'utf8'),
  };
}

// Verify one credential with the Digital Bazaar stack, fully offline.
//
// Usage: node verify.mjs [CONTEXTS_DIR] < request.json
//
// The request is {"credential": {...}, "documents": {"<url, DID or method id>": {...}}} with the
// optional keys "checkIssuer" (default true), "checkStatus" (default true) and "now" (an ISO 8601
// date-time used for the validity window). The script writes one JSON line to stdout,
// {"verified": bool, "errors": [string]}, and exits 0. A request it cannot read exits 2 with the
// reason on stderr.
//
// CONTEXTS_DIR defaults to the hub's bundled contexts (hub/credentials/contexts), so both
// implementations expand credentials with the same context files.
import {createHash} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {fileURLToPath} from 'node:url';
import path from 'node:path';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import jsigs from 'jsonld-signatures';

const DEFAULT_CONTEXTS_DIR = fileURLToPath(
  new URL('../../../hub/credentials/contexts/', import.meta.url));

// DID document properties that may embed a verification method instead of referencing one.
const VERIFICATION_RELATIONSHIPS = [
  'verificationMethod', 'assertionMethod', 'authentication', 'capabilityInvocation',
  'capabilityDelegation', 'keyAgreement'
];

class RequestError extends Error {}

async function loadBundledContexts(contextsDir) {
  const index = JSON.parse(await readFile(path.join(contextsDir, 'index.json'), 'utf8'));
  const contexts = new Map();
  for(const [url, entry] of Object.entries(index.contexts)) {
    const raw = await readFile(path.join(contextsDir, entry.file));
    // The hub pins every context by SHA-256. A file that drifted would make the two verifiers
    // disagree for a reason unrelated to the credential.
    const digest = createHash('sha256').update(raw).digest('hex');
    if(digest !== entry.sha256) {
      throw new RequestError(
        `bundled context ${entry.file} has SHA-256 ${digest}, expected ${entry.sha256}`);
    }
    contexts.set(url, JSON.parse(raw.toString('utf8')));
  }
  for(const [alias, target] of Object.entries(index.aliases ?? {})) {
    contexts.set(alias, contexts.get(target));
  }
  return contexts;
}

function findVerificationMethod(didDocument, methodId) {
  for(const relationship of VERIFICATION_RELATIONSHIPS) {
    const entries = [didDocument[relationship] ?? []].flat();
    const method = entries.find(entry => typeof entry === 'object' && entry.id === methodId);
    if(method) {
      return method;
    }
  }
  return undefined;
}

function createDidKeyResolver() {
  const resolver = didKeyDriver();
  resolver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
  return resolver;
}

// Serve bundled contexts first, then documents from the request, then did:key. A "did#fragment"
// id that is not in the request is looked up inside the request's DID document. Nothing is
// fetched. NOTE: jsonld-signatures 11.6 wraps this loader and serves its own copies of
// https://w3id.org/security/v1 and /v2 first, so the hub's files for those two URLs are unused.
function createDocumentLoader({contexts, documents}) {
  const didKeyResolver = createDidKeyResolver();
  // Object.hasOwn keeps inherited names such as "constructor" from passing as documents.
  const requested = id => (Object.hasOwn(documents, id) ? documents[id] : undefined);
  return async url => {
    let document = contexts.get(url) ?? requested(url);
    const tag = contexts.has(url) ? 'static' : undefined;
    if(document === undefined && url.includes('#')) {
      const did = url.slice(0, url.indexOf('#'));
      if(requested(did) !== undefined) {
        document = findVerificationMethod(requested(did), url);
      }
    }
    if(document === undefined && url.startsWith('did:key:')) {
      document = await didKeyResolver.get({url});
    }
    if(document === undefined) {
      throw new Error(
        `document not found: ${url} is not a bundled JSON-LD context, not in the request ` +
        '"documents" and not a did:key. Add it to "documents" or bundle the context in the hub.');
    }
    return {contextUrl: null, documentUrl: url, document, tag};
  };
}

// Flatten the nested errors of jsonld-signatures, jsonld.js and the status check into
// messages, because the useful one (the missing URL, the bad signature) is often several
// wrappers deep.
function collectMessages(error, messages = new Set(), depth = 0) {
  if(!error || depth > 8) {
    return messages;
  }
  if(typeof error.message === 'string' && error.message) {
    messages.add(error.message);
  }
  const nested = [
    ...(Array.isArray(error.errors) ? error.errors : []),
    error.cause, error.details?.cause, error.error
  ];
  for(const inner of nested) {
    collectMessages(inner, messages, depth + 1);
  }
  return messages;
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseRequest(text) {
  let request;
  try {
    request = JSON.parse(text);
  } catch(error) {
    throw new RequestError(`request on stdin is not valid JSON: ${error.message}`);
  }
  if(!isPlainObject(request?.credential)) {
    throw new RequestError('request must contain a "credential" object');
  }
  const documents = request.documents ?? {};
  if(!isPlainObject(documents)) {
    throw new RequestError('request "documents" must be an object keyed by URL or id');
  }
  return {...request, documents};
}

function createStatusChecker({checkStatus}) {
  if(checkStatus === false) {
    // The caller requested no status check. vc still requires a function when the credential
    // has credentialStatus, so pass one that accepts every status.
    return async () => ({verified: true});
  }
  // NOTE: only a missing status list has been run through this path. No third-party
  // BitstringStatusListCredential signed with eddsa-rdfc-2022 is available offline to test with.
  return options => checkBitstringStatus(options);
}

async function verify(request, contexts) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const documentLoader = createDocumentLoader({contexts, documents: request.documents});
  // CredentialIssuancePurpose, vc's default, also requires the issuer to be the controller of
  // the verification method. AssertionProofPurpose checks only the assertionMethod link.
  const purpose = request.checkIssuer === false ?
    new jsigs.purposes.AssertionProofPurpose() : new vc.CredentialIssuancePurpose();
  try {
    const result = await vc.verifyCredential({
      credential: request.credential, suite, purpose, documentLoader,
      checkStatus: createStatusChecker(request), now: request.now
    });
    const errors = new Set();
    collectMessages(result.error, errors);
    collectMessages(result.statusResult?.error, errors);
    // vc reports a status list that verifies as verified even when the credential's bit is set.
    // Each result's `status` is that bit, so a set revocation or suspension bit fails here.
    const setEntries = (result.statusResult?.results ?? []).filter(entry => entry.status === true);
    for(const entry of setEntries) {
      const status = entry.credentialStatus ?? {};
      errors.add(`${status.statusPurpose} entry ${status.statusListIndex} is set`);
    }
    return {verified: result.verified === true && setEntries.length === 0, errors: [...errors]};
  } catch(error) {
    // vc throws, rather than returns, for the checks it runs before the proof (dates, required
    // properties). This harness reports them as failed verifications like any other.
    return {verified: false, errors: [...collectMessages(error)]};
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  const contextsDir = process.argv[2] ?? DEFAULT_CONTEXTS_DIR;
  try {
    const request = parseRequest(await readStdin());
    const contexts = await loadBundledContexts(contextsDir);
    const result = await verify(request, contexts);
    process.stdout.write(JSON.stringify(result) + '\n');
  } catch(error) {
    if(!(error instanceof RequestError) && error.code !== 'ENOENT') {
      throw error;
    }
    process.stderr.write(`verify.mjs: ${error.message}\n`);
    process.exitCode = 2;
  }
}

await main();

// The OCMF library (@road-labs/ocmf and its crypto packages) as one module. They are CommonJS
// whose exports are getters Node 22's ESM loader does not see as named exports (Node 24's
// does): `import { Verifier } from '@road-labs/ocmf'` fails to link there, the whole process
// with it. The default import is the CommonJS module object on every Node and in every bundler.
import ocmf from '@road-labs/ocmf';
import ocmfCrypto from '@road-labs/ocmf-crypto';
import ocmfNoble from '@road-labs/ocmf-crypto-noble';

export const {
  CurveMismatchError,
  decomposeValue,
  parseSections,
  signatureMethodFromId,
  UnknownSignatureEncoding,
  UnknownSignatureMimeType,
  Verifier,
} = ocmf;
export const { decodePkixSubjectPublicKeyInfo, oidEllipticCurveKey, oidToCurve } = ocmfCrypto;
export const { Crypto, resolveCurveFn } = ocmfNoble;

import { generateKeyPairSync, sign } from 'node:crypto';
import type { PayloadData } from '@road-labs/ocmf';

/**
 * OCMF test vectors of the OCMF library itself: road-labs/ocmf-js,
 * packages/test-commons/src/verify.ts ("basic secp256r1", "basic brainpool256r1", "basic
 * secp192r1" and their "tampered payload" twins, whose payload says FV 2.0 instead of 1.0) and
 * packages/test-commons/src/public-key.ts (a second secp256r1 key), at commit
 * 4d54f84a1b11b0d3beefaa33f34170c99daf35c6. Each signed string is `OCMF|<data>|{SA, SD}`, the
 * signature over the data section exactly as the library's verifier reads it.
 */
const vector = (data: string, method: string, signature: string) =>
  `OCMF|${data}|{"SA":"${method}","SD":"${signature}"}`;

const SECP256R1_DATA =
  '{"FV":"1.0","GI":"TEST","GS":"1234567","GV":"1.0.0","PG":"T1","MV":"MV","MM":"MM","MS":"1234567","MF":"1.0","IS":true,"IL":"VERIFIED","IF":["RFID_PLAIN","OCPP_RS_TLS"],"IT":"ISO14443","ID":"2AB46E883AD3BB","CI":"CSONE","CT":"CBIDC","RD":[{"TM":"2025-06-14T08:49:47,642+0100 S","TX":"B","RV":0.56698,"RI":"1-b","RU":"kWh","EI":1523,"ST":"G"},{"TM":"2025-06-14T11:49:47,642+0100 S","TX":"E","RV":8.36706,"RI":"1-b","RU":"kWh","EI":1523,"ST":"G"}]}';
const BRAINPOOL256R1_DATA =
  '{"FV":"1.0","GI":"TEST","GS":"1234567","GV":"1.0.0","PG":"T1","MV":"MV","MM":"MM","MS":"1234567","MF":"1.0","IS":true,"IL":"VERIFIED","IF":["RFID_PLAIN","OCPP_RS_TLS"],"IT":"ISO14443","ID":"79A94A26862469","CI":"CSONE","CT":"CBIDC","RD":[{"TM":"2025-06-14T08:44:54,562+0100 S","TX":"B","RV":0.75727,"RI":"1-b","RU":"kWh","EI":1523,"ST":"G"},{"TM":"2025-06-14T11:44:54,562+0100 S","TX":"E","RV":3.12961,"RI":"1-b","RU":"kWh","EI":1523,"ST":"G"}]}';
const SECP192R1_DATA =
  '{"FV":"1.0","GI":"TEST","GS":"1234567","GV":"1.0.0","PG":"T1","MV":"MV","MM":"MM","MS":"1234567","MF":"1.0","IS":true,"IL":"VERIFIED","IF":["RFID_PLAIN","OCPP_RS_TLS"],"IT":"ISO14443","ID":"EBCFD45AF85AD0","CI":"CSONE","CT":"CBIDC","RD":[{"TM":"2025-06-14T08:59:06,631+0100 S","TX":"B","RV":3.41769,"RI":"1-b","RU":"kWh","EI":1523,"ST":"G"},{"TM":"2025-06-14T11:59:06,631+0100 S","TX":"E","RV":5.05988,"RI":"1-b","RU":"kWh","EI":1523,"ST":"G"}]}';

const tampered = (data: string) => data.replace('"FV":"1.0"', '"FV":"2.0"');

export const OCMF_VECTORS = {
  secp256r1: {
    key: '3059301306072A8648CE3D020106082A8648CE3D03010703420004EF1766AFD940A49FBA863779837F394EB053BF87DB529DE69FDDE8B32485D7AD715CD8F291656B1DEAA29337A65E4B1B7F9F2808E4E53019B867D4C9294948C9',
    valid: vector(
      SECP256R1_DATA,
      'ECDSA-secp256r1-SHA256',
      '3045022100DB41C0B8AC1580F274574DC8A5C9AD856C1A4B0D5BF2252D119F55202E363968022053BD9DBE36DF6EF1F712C76A0E12F80E8B7E614683375C046371871E128B9BA3',
    ),
    tampered: vector(
      tampered(SECP256R1_DATA),
      'ECDSA-secp256r1-SHA256',
      '3045022100DB41C0B8AC1580F274574DC8A5C9AD856C1A4B0D5BF2252D119F55202E363968022053BD9DBE36DF6EF1F712C76A0E12F80E8B7E614683375C046371871E128B9BA3',
    ),
  },
  brainpool256r1: {
    key: '305A301406072A8648CE3D020106092B24030302080101070342000402FC5AE967C115760A1A4D4163AB5E1707E05EEEED5240C0260DAC94515E472D46D00C1A6826A6096E3FE4C7099276356739CF49953F7BFBA9B0152809C82EFC',
    valid: vector(
      BRAINPOOL256R1_DATA,
      'ECDSA-brainpool256r1-SHA256',
      '3044022008CC0AE0A649F6C0A62A83D7A9E7CAD86128EFD9C17D0B0D2B9FCF68ACB5E32C0220133A4F001B3A7A96A3CBEF45D632AE77277021756BF8ED29758B743E46AF054E',
    ),
    tampered: vector(
      tampered(BRAINPOOL256R1_DATA),
      'ECDSA-brainpool256r1-SHA256',
      '3044022008CC0AE0A649F6C0A62A83D7A9E7CAD86128EFD9C17D0B0D2B9FCF68ACB5E32C0220133A4F001B3A7A96A3CBEF45D632AE77277021756BF8ED29758B743E46AF054E',
    ),
  },
  secp192r1: {
    key: '3049301306072A8648CE3D020106082A8648CE3D03010103320004F92AE7DCB6992A14DCF1868FAC99ACF2FA97AA5B7F2886517FE214E3CCED79DD48CD3100D4490EB6CCDB6ED75532EA1D',
    valid: vector(
      SECP192R1_DATA,
      'ECDSA-secp192r1-SHA256',
      '303402186F56EE198D2479C2325B5B519BD09CF41FA10D9CB26A44ED02187D7354E413428183616C7F9A0B7AD76AEE249BEBAF2FFF94',
    ),
  },
  /** Another meter's secp256r1 key (public-key.ts): the vectors above are wrongly keyed to it. */
  otherSecp256r1Key:
    '3059301306072A8648CE3D020106082A8648CE3D03010703420004BE3D5E2505B5B207A6357147C49A915EEEACE51771C970202652D57CCB086FE9B46FFB794E0F241CA02935583D2A10A60A75675C2631863E603FB88D413284F5',
} as const;

/**
 * A test meter of our own, for what the published vectors do not vary (pagination counters): a
 * fresh secp256r1 key pair (Node's OpenSSL) signing OCMF data sets the way a meter does — ECDSA
 * with SHA-256 over the data section, the signature DER in upper-case hex. (The library's
 * Signer wants the curve inside the PKCS#8 key, which Node's export does not put there.)
 */
export function testMeter(serial: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('hex').toUpperCase(),
    /** A transaction data set with pagination `PG` and a reading of `kWh`. */
    sign: (pagination: string, kWh: number, reason: 'B' | 'E' | 'T' = 'T') => {
      const payload: PayloadData = {
        FV: '1.0',
        GI: 'DOPPEL TEST',
        GS: serial,
        PG: pagination,
        MS: serial,
        IS: true,
        IT: 'ISO14443',
        RD: [{ TM: '2026-03-01T10:00:00,000+0000 S', TX: reason, RV: kWh, RU: 'kWh', ST: 'G' }],
      };
      const data = JSON.stringify(payload);
      const signature = sign('sha256', Buffer.from(data, 'utf8'), privateKey);
      return vector(data, 'ECDSA-secp256r1-SHA256', signature.toString('hex').toUpperCase());
    },
  };
}

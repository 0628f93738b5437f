/** The meter public key of a charging station (OCMF, Eichrecht), registered at commissioning. */
export const meterKeyTypeDefs = /* GraphQL */ `
  "A station's meter public key: its signed meter values are checked against it on arrival."
  type MeterPublicKey {
    "Hex-encoded DER SubjectPublicKeyInfo, upper case."
    publicKey: String!
    "The key's curve: secp256r1, secp192r1, secp384r1, secp256k1, secp192k1, brainpool256r1 or brainpool384r1."
    curve: String!
    "The OCMF signature algorithm of the curve, e.g. ECDSA-secp256r1-SHA256."
    signingMethod: String!
    "Who registered (or last rotated) it, and when."
    registeredBy: String!
    registeredAt: DateTime!
  }

  input SetMeterPublicKeyInput {
    tenantId: ID!
    deviceId: ID!
    "Hex-encoded DER SubjectPublicKeyInfo as the meter prints it (spaces and colons allowed); null removes the key."
    publicKey: String
  }

  type SetMeterPublicKeyPayload {
    deviceId: ID!
    "The key now registered; null once removed."
    meterPublicKey: MeterPublicKey
    "The key it replaced, if any."
    replaced: MeterPublicKey
  }

  extend type Mutation {
    "Registers, rotates or (publicKey: null) removes a station's meter public key; audited with the key before and after."
    setMeterPublicKey(input: SetMeterPublicKeyInput!): SetMeterPublicKeyPayload!
  }

  extend type Device {
    "The meter public key registered for this station (OCMF); null when none is."
    meterPublicKey: MeterPublicKey
  }
`;

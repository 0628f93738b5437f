import { z } from 'zod';

/** OCPI 2.2.1's BusinessDetails (only the name is required). */
const businessDetails = z.object({
  name: z.string().min(1).max(100),
  website: z.string().max(255).optional().nullable(),
  logo: z.unknown().optional().nullable(),
});

/** OCPI 2.2.1's CredentialsRole: a role a platform plays, as which party. */
export const credentialsRole = z.object({
  role: z.enum(['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP']),
  business_details: businessDetails,
  party_id: z.string().regex(/^[A-Za-z0-9]{3}$/, 'party_id is 3 letters or digits'),
  country_code: z.string().regex(/^[A-Za-z]{2}$/, 'country_code is ISO 3166-1 alpha-2'),
});

/** OCPI 2.2.1's Credentials object, as a party sends it in POST/PUT /credentials. */
export const credentialsObject = z.object({
  token: z.string().min(1).max(64),
  url: z.url({ protocol: /^https?$/ }).max(255),
  roles: z.array(credentialsRole).min(1),
});
export type CredentialsObject = z.infer<typeof credentialsObject>;

/** A module in a party's version details. */
export const endpointObject = z.object({
  identifier: z.string().min(1),
  role: z.enum(['SENDER', 'RECEIVER']),
  url: z.url({ protocol: /^https?$/ }),
});

export const versionsList = z.array(z.object({ version: z.string(), url: z.url() }));
export const versionDetails = z.object({
  version: z.string(),
  endpoints: z.array(endpointObject),
});

/** Doppel's answer to a handshake: its token for the party, its versions URL, its CPO role. */
export function cpoCredentials(
  token: string,
  versionsUrl: string,
  party: { cpoCountryCode: string; cpoPartyId: string; cpoName: string },
): CredentialsObject {
  return {
    token,
    url: versionsUrl,
    roles: [
      {
        role: 'CPO',
        business_details: { name: party.cpoName },
        party_id: party.cpoPartyId,
        country_code: party.cpoCountryCode,
      },
    ],
  };
}

/** One line per problem zod found, with where: for status_message. */
export const zodReasons = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');

// What a directory entry may hold: the same limits as the tracked values it names.
import { Type } from '@sinclair/typebox';
import { LIMITS } from '../../../src/protocol/index.js';
import { EMAIL_PATTERN, TEXT_PATTERN } from '../../../src/protocol/constants.js';

const Label = (maxLength: number, description: string) => Type.String({ minLength: 1, maxLength, pattern: TEXT_PATTERN, description });

export const CampaignId = Label(LIMITS.text, 'campaign ID');
export const ContactUid = Label(LIMITS.text, 'contact UID');
export const CampaignNameText = Label(LIMITS.text, 'campaign name');
export const Email = Type.String({ maxLength: LIMITS.email, pattern: EMAIL_PATTERN, description: 'contact email' });

export const CampaignEntry = Type.Object({ campaignId: CampaignId, name: CampaignNameText }, { additionalProperties: false });
export const ContactEntry = Type.Object({ contactUid: ContactUid, email: Email }, { additionalProperties: false });

/** The isolation fuzz campaigns by name (docs/security.md): `npm run fuzz -- NAME`. */
import { hypercallCampaign } from './hypercalls.js';

export const CAMPAIGNS = {
  hypercalls: hypercallCampaign,
};

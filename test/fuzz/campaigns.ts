/** The fuzz campaigns by name (docs/security.md): `npm run fuzz -- NAME`. */
import { asmCampaign } from './asm.js';
import { controlCampaign } from './control.js';
import { hypercallCampaign } from './hypercalls.js';
import { kernelCampaign } from './kernel.js';
import { sharedCampaign } from './shared.js';

export const CAMPAIGNS = {
  hypercalls: hypercallCampaign,
  shared: sharedCampaign,
  control: controlCampaign,
  kernel: kernelCampaign,
  asm: asmCampaign,
};

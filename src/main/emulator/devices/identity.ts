/**
 * Registers every device window has (docs/devices.md): an identity word at +0xFF0 so a probing OS
 * can recognise the device, and a version word at +0xFF4.
 */
export const ID_OFFSET = 0xff0;
export const VERSION_OFFSET = 0xff4;
export const DEVICE_VERSION = 1;

export const DEVICE_ID = {
  uart: 0x54524155, // 'UART'
  sysctl: 0x4c544353, // 'SCTL'
  rtc: 0x20435452, // 'RTC '
  intc: 0x43544e49, // 'INTC'
  disk: 0x4b534944, // 'DISK'
  nic: 0x2043494e, // 'NIC '
} as const;

/** The identity or version register of a device of kind `id`, or undefined for other offsets. */
export function identityRegister(offset: number, id: number): number | undefined {
  if (offset === ID_OFFSET) return id;
  if (offset === VERSION_OFFSET) return DEVICE_VERSION;
  return undefined;
}

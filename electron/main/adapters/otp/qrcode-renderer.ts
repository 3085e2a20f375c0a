import type { QrRenderer } from '../../services/mfa-ports'

/** Loaded when a QR code is drawn (enrollment), not by every command that opens Keyhold (issue 15). */
type QrCode = typeof import('qrcode')

async function qrcode(): Promise<QrCode> {
  const loaded = (await import('qrcode')) as QrCode & { default?: QrCode }
  return loaded.default ?? loaded
}

/** QR images are drawn in the main process: the otpauth URI never leaves the machine. */
export const qrcodeRenderer: QrRenderer = {
  dataUrl: async (text) => (await qrcode()).toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, scale: 6 }),
}

/** A QR code drawn with block characters for the CLI. */
export async function terminalQr(text: string): Promise<string> {
  return (await qrcode()).toString(text, { type: 'terminal', small: true })
}

import QRCode from 'qrcode'
import type { QrRenderer } from '../../services/mfa-ports'

/** QR images are drawn in the main process: the otpauth URI never leaves the machine. */
export const qrcodeRenderer: QrRenderer = {
  dataUrl: (text) => QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, scale: 6 }),
}

/** A QR code drawn with block characters for the CLI. */
export function terminalQr(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true })
}

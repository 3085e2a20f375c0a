import { z } from 'zod'
import { AppError } from '../../domain/app-error'
import { toE164 } from '../../domain/phone'
import type { EmailSender, OutgoingEmail, OutgoingSms, SmsSender } from '../../services/delivery-ports'
import type { Clock } from '../../services/ports'
import { systemClock } from '../system/system-clock'
import { sendEmailSms } from './email-sms-sender'
import type { DeliveryOptions } from './gateway-request'
import { sendHttpSms } from './http-sms-sender'
import { sendKannelSms } from './kannel-sms-sender'
import { sendRecorded } from './last-send-recorder'
import type { ProviderSettings } from './provider-settings'
import { emailNotConfiguredMessage, sendSmtpEmail } from './smtp-email-sender'
import { sendTwilioSms } from './twilio-sms-sender'

export interface ConfiguredSenders {
  readonly email: EmailSender
  /** Sends through whichever SMS adapter is configured at the moment of sending. */
  readonly sms: SmsSender
  /** `provider test`: a fixed message, so an administrator can check the settings without a code. */
  testEmail(to: string, site?: string): Promise<void>
  /** `provider test`: the number may be in any format libphonenumber-js reads with a country code. */
  testSms(to: string, site?: string): Promise<void>
}

export const smsNotConfiguredMessage = 'No SMS gateway is set up; an administrator can set one up'

export function testMessageText(channel: 'email' | 'SMS', site: string): string {
  return `Keyhold test message: your ${site} ${channel} settings work.`
}

/**
 * The senders the services use, over the stored provider settings, read at
 * every send so a change applies at once. A send that says why it goes out
 * (a test, a code) leaves its outcome as the provider's last send.
 */
export function createConfiguredSenders(
  providerSettings: ProviderSettings,
  options: DeliveryOptions = {},
  clock: Clock = systemClock,
): ConfiguredSenders {
  async function sendEmail(message: OutgoingEmail): Promise<void> {
    const config = providerSettings.resolved.email()
    if (config === null) throw new AppError('NOT_CONFIGURED', emailNotConfiguredMessage)
    await sendRecorded(providerSettings, clock, 'email', message, () => sendSmtpEmail(config, message, options))
  }

  async function sendSms(message: OutgoingSms): Promise<void> {
    const config = providerSettings.resolved.sms()
    if (config === null) throw new AppError('NOT_CONFIGURED', smsNotConfiguredMessage)
    await sendRecorded(providerSettings, clock, 'sms', message, () => {
      switch (config.kind) {
        case 'kannel':
          return sendKannelSms(config, message, options)
        case 'http':
          return sendHttpSms(config, message, options)
        case 'twilio':
          return sendTwilioSms(config, message, options)
        case 'email':
          return sendEmailSms(config, providerSettings.resolved.email(), message, options)
      }
    })
  }

  return {
    // Cheap: they read the settings rows without decrypting anything.
    email: { isConfigured: () => providerSettings.getEmail() !== null, send: sendEmail },
    sms: { isConfigured: () => providerSettings.getSms() !== null, send: sendSms },
    async testEmail(to, site = 'Keyhold') {
      const address = z.email().safeParse(to.trim())
      if (!address.success) {
        throw new AppError('VALIDATION', 'Enter a valid email address', {
          fields: [{ field: 'to', message: 'Enter a valid email address' }],
        })
      }
      await sendEmail({
        to: address.data,
        subject: `${site} test message`,
        text: testMessageText('email', site),
        purpose: 'test',
      })
    },
    async testSms(to, site = 'Keyhold') {
      await sendSms({ to: toE164(to, 'to'), text: testMessageText('SMS', site), purpose: 'test' })
    },
  }
}

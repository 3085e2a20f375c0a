import { z } from 'zod'
import { AppError } from '../../domain/app-error'
import { toE164 } from '../../domain/phone'
import type { EmailSender, SmsSender } from '../../services/delivery-ports'
import type { DeliveryOptions } from './gateway-request'
import { sendHttpSms } from './http-sms-sender'
import { sendKannelSms } from './kannel-sms-sender'
import type { ProviderSettings } from './provider-settings'
import { createSmtpEmailSender } from './smtp-email-sender'
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

export function createConfiguredSenders(
  providerSettings: ProviderSettings,
  options: DeliveryOptions = {},
): ConfiguredSenders {
  const email = createSmtpEmailSender(() => providerSettings.resolved.email(), options)

  const sms: SmsSender = {
    // Cheap: reads the settings row without decrypting anything.
    isConfigured: () => providerSettings.getSms() !== null,
    async send(message) {
      const config = providerSettings.resolved.sms()
      if (config === null) throw new AppError('NOT_CONFIGURED', smsNotConfiguredMessage)
      switch (config.kind) {
        case 'kannel':
          return sendKannelSms(config, message, options)
        case 'http':
          return sendHttpSms(config, message, options)
        case 'twilio':
          return sendTwilioSms(config, message, options)
      }
    },
  }

  return {
    email: { isConfigured: () => providerSettings.getEmail() !== null, send: (message) => email.send(message) },
    sms,
    async testEmail(to, site = 'Keyhold') {
      const address = z.email().safeParse(to.trim())
      if (!address.success) {
        throw new AppError('VALIDATION', 'Enter a valid email address', {
          fields: [{ field: 'to', message: 'Enter a valid email address' }],
        })
      }
      await email.send({ to: address.data, subject: `${site} test message`, text: testMessageText('email', site) })
    },
    async testSms(to, site = 'Keyhold') {
      await sms.send({ to: toE164(to, 'to'), text: testMessageText('SMS', site) })
    },
  }
}

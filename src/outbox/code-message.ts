import type { PendingCodeDelivery } from '../verification/verification-codes.service';

/** The text that carries a code: what the SMS says, and the e-mail's subject and body. */
export function codeMessage(delivery: PendingCodeDelivery): { subject: string; text: string } {
  const minutes = Math.max(1, Math.round((delivery.expiresAt.getTime() - Date.now()) / 60_000));
  const otp = delivery.purpose.alphabet === 'otp';
  const what = otp ? 'sign-in code' : delivery.purpose.channel === 'sms' ? 'code to verify this phone number' : 'code to verify this e-mail address';
  const lines = [`${delivery.code} is your ${what}. It expires in ${minutes} minute${minutes === 1 ? '' : 's'}.`];
  if (delivery.url) lines.push('', `Or open: ${delivery.url}`);
  lines.push('', "If you didn't ask for it, ignore this message and tell your administrator.");
  return { subject: otp ? 'Your sign-in code' : 'Verify your e-mail address', text: lines.join('\n') };
}

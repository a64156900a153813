/** The HMAC key of e-mail claim streams: LEAD_CAPTURE_EMAIL_SECRET, else the one generated for the database (kept wrapped). */
export const EMAIL_SECRET = Symbol('EMAIL_SECRET');

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Inject, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '#auth';
import { CORRELATION_ID_HEADER, headerToken, IDEMPOTENCY_KEY_HEADER, type CommandContext } from '#commands';
import type { AppConfig } from '#config';
import { ApiProblemResponse, notFoundProblem, ProblemException } from '#http';
import { APP_CONFIG } from '#providers';
import { FormStore } from './form.store.js';
import { STANDARD_FIELDS, TRACKING_FIELDS, type FormRecord } from './form.js';
import { SubmissionRateLimiter } from './rate-limiter.js';
import { CaptureLeadCommand } from './capture-lead.command.js';
import { SubmissionAcceptedDto } from './form.dto.js';
import { SUBMISSION_BODY_LIMIT_BYTES } from './submission-http.js';
import { clientAddress, parseSubmission, submissionCommandId, submittedObject, submittedValues } from './submission.js';

/** Express's request, as far as this route reads it. */
interface SubmissionRequest extends IncomingMessage {
  readonly body?: unknown;
}

/**
 * The public end of lead capture: web pages post forms here with the form's key and no API key.
 * In order: the body's size (413, before routing: submission-http.ts), the key (404 when unknown
 * or disabled), the client's rate (429 with Retry-After), the fields (400 naming each), the
 * honeypot (a bot's submission is answered as accepted and recorded nowhere), the domain's rules
 * (422). Only then is anything appended: a refused submission leaves no event.
 */
@ApiTags('lead capture')
@Controller('forms')
export class FormSubmissionsController {
  private readonly logger = new Logger('LeadCapture');
  private readonly trustedProxies: number;

  constructor(
    private readonly forms: FormStore,
    private readonly rateLimiter: SubmissionRateLimiter,
    private readonly commandBus: CommandBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.trustedProxies = config.leadCapture.trustedProxies;
  }

  @Post(':formKey/submissions')
  @Public()
  @ApiOperation({
    summary: 'Submit a lead-capture form (public)',
    description:
      `No API key: the form's public key is in the path. Fields: ${STANDARD_FIELDS.join(', ')} (email always required), the form's ` +
      `own fields, and the tracking fields ${TRACKING_FIELDS.join(', ')}. A known e-mail address adds the submission to its ` +
      `customer; an unknown one registers a lead (source web_form). At most ${SUBMISSION_BODY_LIMIT_BYTES / 1024} kB; ` +
      'rate-limited per client address and form. The answer is the same whether the address was known or not.',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ schema: { type: 'object', additionalProperties: { type: 'string' }, example: { email: 'ada@example.com', name: 'Ada Lovelace', utm_source: 'newsletter' } } })
  @ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: false, description: 'Makes a resend of this submission record nothing new (otherwise: the same fields on the same day)' })
  @ApiAcceptedResponse({ type: SubmissionAcceptedDto, description: 'Accepted' })
  @ApiResponse({ status: 303, description: 'Accepted, form-encoded, and the form has a successUrl: the browser is sent there' })
  @ApiProblemResponse(400, 'A field unknown to the form, missing, too long or malformed')
  @ApiProblemResponse(404, 'No form takes submissions under this key')
  @ApiProblemResponse(413, `Body over ${SUBMISSION_BODY_LIMIT_BYTES / 1024} kB`)
  @ApiProblemResponse(415, 'Neither form-encoded nor JSON')
  @ApiProblemResponse(422, 'The lead breaks a rule of the customer domain')
  @ApiProblemResponse(429, 'Too many submissions from this address to this form; see Retry-After')
  async submit(@Param('formKey') formKey: string, @Req() request: SubmissionRequest, @Res() response: ServerResponse): Promise<void> {
    const form = await this.forms.findActiveByKey(formKey);
    if (form === null) {
      throw notFoundProblem('no form takes submissions under this key');
    }
    const rate = await this.rateLimiter.take(`${form.id}:${clientAddress(request, this.trustedProxies)}`);
    if (!rate.allowed) {
      throw new ProblemException(
        { type: 'about:blank', title: 'Too Many Requests', status: 429, detail: `too many submissions to this form; retry in ${rate.retryAfterSeconds} s` },
        { headers: { 'Retry-After': String(rate.retryAfterSeconds) } },
      );
    }
    const values = submittedValues(submittedObject(request.body));
    const submission = parseSubmission(form, values);
    const context = submissionContext(form, request, submissionCommandId(form, values, headerToken(request.headers, IDEMPOTENCY_KEY_HEADER), new Date()));
    // Checked after the fields, so that a bot is answered exactly as a person sending the same would be.
    if (values.has(form.honeypotField)) {
      this.logger.debug(`form ${form.id}: honeypot filled, submission ${context.commandId} answered as accepted and dropped`);
    } else {
      await this.commandBus.execute(new CaptureLeadCommand(form, submission, context));
    }
    // One answer whatever happened: a bot learns nothing from it, nor anyone whether an address was known.
    accepted(response, form, request, { submissionId: context.commandId });
  }
}

function submissionContext(form: FormRecord, request: IncomingMessage, commandId: string): CommandContext {
  const correlationId = headerToken(request.headers, CORRELATION_ID_HEADER);
  return { commandId, correlationId: correlationId ?? commandId, causationId: commandId, actor: `form:${form.id}` };
}

function accepted(response: ServerResponse, form: FormRecord, request: IncomingMessage, body: SubmissionAcceptedDto): void {
  const formEncoded = (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
  if (form.successUrl !== null && formEncoded) {
    response.statusCode = 303;
    response.setHeader('Location', form.successUrl);
    response.end();
    return;
  }
  response.statusCode = 202;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(body));
}

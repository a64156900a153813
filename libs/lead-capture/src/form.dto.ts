import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';
import { HttpUrl, OptionalId, Text } from '#http';
import { DEFAULT_HONEYPOT_FIELD, FIELD_NAME_PATTERN, FIELD_NAME_RULE, MAX_EXTRA_FIELDS, STANDARD_FIELDS, TRACKING_FIELDS, type FormRecord } from './form.js';
import { SUBMISSIONS_PATH } from './submission-http.js';

/** An optional list of field names. */
function FieldNames(description: string, example: string[]): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, example, type: [String], maxItems: MAX_EXTRA_FIELDS }),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(MAX_EXTRA_FIELDS),
    Matches(FIELD_NAME_PATTERN, { each: true, message: ({ property }) => `each of ${property} must be ${FIELD_NAME_RULE}` }),
  );
}

export class CreateFormDto {
  @Text(200, { description: 'What the form is, for people', example: 'Spring trade fair: request a quote' })
  @IsNotEmpty()
  readonly name!: string;

  @FieldNames(
    `Extra fields the form accepts besides the standard ones (${STANDARD_FIELDS.join(', ')}) and the tracking ones ` +
      `(${TRACKING_FIELDS.join(', ')}); recorded with each submission`,
    ['budget', 'preferredContactTime'],
  )
  readonly fields?: string[];

  @FieldNames('Fields a submission must fill, among the standard and extra ones; `email` always is', ['name'])
  readonly requiredFields?: string[];

  @ApiPropertyOptional({
    description: 'A field hidden from people with CSS: a submission filling it is answered as accepted and recorded nowhere',
    default: DEFAULT_HONEYPOT_FIELD,
    pattern: FIELD_NAME_PATTERN.source,
  })
  @IsOptional()
  @IsString()
  @Matches(FIELD_NAME_PATTERN, { message: `honeypotField must be ${FIELD_NAME_RULE}` })
  readonly honeypotField?: string;

  @OptionalId("Campaign of the form's leads, unless a submission names its own", 'campaign-spring-2026')
  readonly campaignId?: string;

  @OptionalId("Ad of the form's leads, unless a submission names its own", 'ad-42')
  readonly adId?: string;

  @OptionalId("Affiliate site of the form's leads, unless a submission names its own", 'affiliate-comparecrm')
  readonly affiliateSiteId?: string;

  @HttpUrl('Where a browser posting the form (form-encoded) is sent after a submission (303); without it, a JSON answer', 'https://www.example.com/thanks', true)
  readonly successUrl?: string;
}

export class FormDto {
  @ApiProperty({ format: 'uuid', example: '3f1c6a2e-8d4b-4f0a-9b7e-5c2d1e0f9a8b' })
  readonly id: string;

  @ApiProperty({ example: 'Spring trade fair: request a quote' })
  readonly name: string;

  @ApiProperty({ description: 'The public key: embed it in the web page; anyone may post to the form with it', example: 'form_5Xk3v9QaBp1c0RkT8mWl2Y' })
  readonly key: string;

  @ApiProperty({ description: 'Where the page posts submissions', example: '/forms/form_5Xk3v9QaBp1c0RkT8mWl2Y/submissions' })
  readonly submitPath: string;

  @ApiProperty({ type: [String], example: ['budget'] })
  readonly fields: readonly string[];

  @ApiProperty({ type: [String], example: ['name'] })
  readonly requiredFields: readonly string[];

  @ApiProperty({ example: DEFAULT_HONEYPOT_FIELD })
  readonly honeypotField: string;

  @ApiProperty({ type: String, nullable: true, example: 'campaign-spring-2026' })
  readonly campaignId: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  readonly adId: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  readonly affiliateSiteId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'https://www.example.com/thanks' })
  readonly successUrl: string | null;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-03-01T09:30:00.000Z' })
  readonly createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null, description: 'When it stopped taking submissions; null while it takes them' })
  readonly disabledAt: Date | null;

  constructor(form: FormRecord) {
    this.id = form.id;
    this.name = form.name;
    this.key = form.key;
    this.submitPath = SUBMISSIONS_PATH.replace(':formKey', form.key);
    this.fields = form.fields;
    this.requiredFields = form.requiredFields;
    this.honeypotField = form.honeypotField;
    this.campaignId = form.campaignId;
    this.adId = form.adId;
    this.affiliateSiteId = form.affiliateSiteId;
    this.successUrl = form.successUrl;
    this.createdAt = form.createdAt;
    this.disabledAt = form.disabledAt;
  }
}

export class SubmissionAcceptedDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Identifies the submission (the same for a resend of it); says nothing of whether the address was known',
    example: '9b2d7c4e-1f3a-5e6b-8c9d-0a1b2c3d4e5f',
  })
  readonly submissionId!: string;
}

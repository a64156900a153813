import { clickData, type CommandHandlers, integer, oneOf, optionalInteger, optionalText, ownValue, requiredText, timestamp, utm, violation } from '#domain';
import type {
  AddNote,
  AttachDocument,
  LogCall,
  LogEmail,
  LogMeeting,
  RecordClick,
  RecordFormSubmission,
  RecordSiteVisit,
} from './customer.commands.js';
import { CALL_OUTCOMES, DIRECTIONS, DOCUMENT_KINDS, MEETING_KINDS, type CustomerEvent } from './customer.events.js';
import type { CustomerState } from './customer.state.js';

/** What happened with the customer: calls, e-mails, meetings, clicks, visits, form submissions, notes, documents. */
export type InteractionCommand = LogCall | LogEmail | LogMeeting | RecordClick | RecordSiteVisit | RecordFormSubmission | AddNote | AttachDocument;

export const INTERACTION_COMMANDS: CommandHandlers<InteractionCommand, CustomerState, CustomerEvent> = {
  LogCall: logCall,
  LogEmail: logEmail,
  LogMeeting: logMeeting,
  RecordClick: recordClick,
  RecordSiteVisit: recordSiteVisit,
  RecordFormSubmission: recordFormSubmission,
  AddNote: addNote,
  AttachDocument: attachDocument,
};

function logCall(command: LogCall): CustomerEvent {
  return {
    type: 'CallLogged',
    data: {
      callId: requiredText(command.callId, 'callId'),
      direction: oneOf(command.direction, DIRECTIONS, 'direction'),
      durationSeconds: integer(command.durationSeconds, 'durationSeconds', 0),
      outcome: oneOf(command.outcome, CALL_OUTCOMES, 'outcome'),
      repId: requiredText(command.repId, 'repId'),
      summary: optionalText(command.summary, 'summary'),
      occurredAt: timestamp(command.occurredAt, 'occurredAt'),
    },
  };
}

function logEmail(command: LogEmail): CustomerEvent {
  if (typeof command.subject !== 'string') violation('required', 'subject is required', 'subject');
  return {
    type: 'EmailLogged',
    data: {
      emailId: requiredText(command.emailId, 'emailId'),
      direction: oneOf(command.direction, DIRECTIONS, 'direction'),
      // An e-mail may have an empty subject; it is kept as sent.
      subject: command.subject,
      summary: optionalText(command.summary, 'summary'),
      repId: optionalText(command.repId, 'repId'),
      occurredAt: timestamp(command.occurredAt, 'occurredAt'),
    },
  };
}

function logMeeting(command: LogMeeting): CustomerEvent {
  return {
    type: 'MeetingLogged',
    data: {
      meetingId: requiredText(command.meetingId, 'meetingId'),
      kind: oneOf(command.kind, MEETING_KINDS, 'kind'),
      location: optionalText(command.location, 'location'),
      durationMinutes: integer(command.durationMinutes, 'durationMinutes', 0),
      repId: requiredText(command.repId, 'repId'),
      summary: optionalText(command.summary, 'summary'),
      occurredAt: timestamp(command.occurredAt, 'occurredAt'),
    },
  };
}

function recordClick(command: RecordClick): CustomerEvent {
  return { type: 'LeadClickRecorded', data: clickData(command) };
}

function recordSiteVisit(command: RecordSiteVisit): CustomerEvent {
  return {
    type: 'SiteVisitRecorded',
    data: {
      visitId: requiredText(command.visitId, 'visitId'),
      url: requiredText(command.url, 'url'),
      referrer: optionalText(command.referrer, 'referrer'),
      pageCount: optionalInteger(command.pageCount, 'pageCount', 0),
      durationSeconds: optionalInteger(command.durationSeconds, 'durationSeconds', 0),
      campaignId: optionalText(command.campaignId, 'campaignId'),
      adId: optionalText(command.adId, 'adId'),
      affiliateSiteId: optionalText(command.affiliateSiteId, 'affiliateSiteId'),
      occurredAt: timestamp(command.occurredAt, 'occurredAt'),
    },
  };
}

function recordFormSubmission(command: RecordFormSubmission): CustomerEvent {
  const input: unknown = command.fields;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) violation('invalid_value', 'fields must be an object of strings', 'fields');
  const entries = Object.entries(input).filter(([, value]) => value !== undefined && value !== null);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') violation('invalid_value', `fields.${key} must be a string`, `fields.${key}`);
  }
  // fromEntries defines own properties: a form field named `__proto__` stays a field.
  const fields = Object.fromEntries(entries) as Record<string, string>;
  return {
    type: 'FormSubmissionRecorded',
    data: {
      submissionId: requiredText(command.submissionId, 'submissionId'),
      formId: requiredText(command.formId, 'formId'),
      fields,
      campaignId: optionalText(command.campaignId, 'campaignId'),
      adId: optionalText(command.adId, 'adId'),
      affiliateSiteId: optionalText(command.affiliateSiteId, 'affiliateSiteId'),
      utm: utm(command.utm),
      visitorId: optionalText(command.visitorId, 'visitorId'),
      occurredAt: timestamp(command.occurredAt, 'occurredAt'),
    },
  };
}

function addNote(command: AddNote): CustomerEvent {
  if (typeof command.text !== 'string' || command.text.trim() === '') violation('empty_note', 'a note needs text', 'text');
  return {
    type: 'NoteAdded',
    data: {
      noteId: requiredText(command.noteId, 'noteId'),
      text: command.text,
      authorRepId: optionalText(command.authorRepId, 'authorRepId'),
      addedAt: timestamp(command.addedAt, 'addedAt'),
    },
  };
}

function attachDocument(command: AttachDocument, state: CustomerState): CustomerEvent {
  const documentId = requiredText(command.documentId, 'documentId');
  if (state.documentIds.includes(documentId)) {
    violation('document_already_attached', `document ${documentId} is already attached`, 'documentId');
  }
  const contractId = optionalText(command.contractId, 'contractId');
  if (contractId !== undefined && ownValue(state.contracts, contractId) === undefined) {
    violation('unknown_contract', `no contract ${contractId} for this customer`, 'contractId');
  }
  return {
    type: 'DocumentAttached',
    data: {
      documentId,
      kind: oneOf(command.kind, DOCUMENT_KINDS, 'kind'),
      fileName: requiredText(command.fileName, 'fileName'),
      contentType: requiredText(command.contentType, 'contentType'),
      sizeBytes: integer(command.sizeBytes, 'sizeBytes', 0),
      storageRef: requiredText(command.storageRef, 'storageRef'),
      contractId,
      attachedAt: timestamp(command.attachedAt, 'attachedAt'),
    },
  };
}

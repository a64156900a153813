import { customerDecider, type CustomerEvent } from '#customers/domain';
import { fold, RuleViolationError } from '#domain';
import { captureLead, checkLead, forCustomer, leadDecider, type LeadSubmission } from './lead.js';
import type { FormRecord } from './form.js';

const NOW = '2026-03-01T09:30:00.000Z';
const form: FormRecord = {
  id: 'form-1',
  key: 'form_AAAAAAAAAAAAAAAAAAAAAA',
  name: 'Quote',
  fields: ['budget'],
  requiredFields: [],
  honeypotField: 'website',
  campaignId: 'campaign-default',
  adId: 'ad-default',
  affiliateSiteId: null,
  successUrl: null,
  createdAt: new Date(NOW),
  disabledAt: null,
};
const submission: LeadSubmission = { email: 'ada@example.com', name: 'Ada', fields: { email: 'ada@example.com', name: 'Ada', budget: '10k' }, adId: 'ad-7' };
const lead = captureLead(form, submission, { customerId: 'c-1', submissionId: 's-1' }, NOW);

describe('leadDecider', () => {
  it('registers a new customer and records the submission, attributed to the page first, then to the form', () => {
    const events = leadDecider.decide(lead, leadDecider.initialState);
    expect(events.map((event) => event.type)).toEqual(['CustomerRegistered', 'FormSubmissionRecorded']);
    expect(events[0].data).toMatchObject({ customerId: 'c-1', source: 'web_form', contact: { name: 'Ada', email: 'ada@example.com' }, campaignId: 'campaign-default', adId: 'ad-7' });
    expect(events[1].data).toMatchObject({ submissionId: 's-1', formId: 'form-1', fields: submission.fields, campaignId: 'campaign-default', adId: 'ad-7' });
  });

  it('only records the submission for a customer already registered', () => {
    const known = fold(customerDecider, leadDecider.decide(forCustomer(lead, 'c-2'), leadDecider.initialState));
    const events = leadDecider.decide(forCustomer(lead, 'c-2'), known);
    expect(events.map((event) => event.type)).toEqual(['FormSubmissionRecorded']);
  });

  it('refuses a submission for an erased customer', () => {
    const history: CustomerEvent[] = [...leadDecider.decide(lead, leadDecider.initialState), { type: 'CustomerErased', data: { erasedAt: NOW } }];
    expect(() => leadDecider.decide(lead, fold(customerDecider, history))).toThrow(RuleViolationError);
  });

  it('checks a lead as the domain would, before anything is appended', () => {
    expect(() => checkLead(lead)).not.toThrow();
    expect(() => checkLead({ ...lead, register: { ...lead.register, registeredAt: 'yesterday' } })).toThrow(RuleViolationError);
  });
});

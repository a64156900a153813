import { newId, omit, UTC_TIMESTAMP } from '#testing';
import { bodies, CONTRACT_ID, CustomersHarness, rejections, ROUTES, type Rejection } from '../support/customers.js';

describe('notes and attachments', () => {
  let h: CustomersHarness;

  beforeAll(async () => {
    h = await CustomersHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('POST /customers/:id/notes', () => {
    const route = ROUTES.notes;

    it('adds a note: 201 and a NoteAdded event with the text as written', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        noteId: event.metadata.commandId,
        text: 'Prefers calls after 3 pm.',
        authorRepId: 'rep-17',
        addedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it('keeps a given note id, and a note of the maximum length untrimmed', async () => {
      const text = ` ${'n'.repeat(9_998)} `;
      const event = await h.expectAppended(route, await h.target(route), { body: { noteId: 'note-1', text } });
      expect(event.data).toEqual({ noteId: 'note-1', text, addedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without text', body: (b) => omit(b, 'text'), status: 400, field: 'text' },
        { case: 'a number for text', body: (b) => ({ ...b, text: 42 }), status: 400, field: 'text' },
        { case: 'a text over 10 000 characters', body: (b) => ({ ...b, text: 't'.repeat(10_001) }), status: 400, field: 'text' },
        { case: 'an authorRepId that is not an id', body: (b) => ({ ...b, authorRepId: '-rep' }), status: 400, field: 'authorRepId' },
        { case: 'a noteId that is not an id', body: (b) => ({ ...b, noteId: 'x'.repeat(65) }), status: 400, field: 'noteId' },
        { case: 'an empty text', body: (b) => ({ ...b, text: '' }), status: 422, reason: 'empty_note', field: 'text' },
        { case: 'a text of blanks only', body: (b) => ({ ...b, text: ' \n\t ' }), status: 422, reason: 'empty_note', field: 'text' },
        { case: 'a body over 256 kB (a 300 kB note)', body: (b) => ({ ...b, text: 't'.repeat(300 * 1024) }), status: 413 },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /customers/:id/attachments', () => {
    const route = ROUTES.attachments;

    it('attaches a document: 201 and a DocumentAttached event with its metadata', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        documentId: event.metadata.commandId,
        kind: 'proposal',
        fileName: 'proposal-2027.pdf',
        contentType: 'application/pdf',
        sizeBytes: 482_113,
        storageRef: 's3://crm-documents/2026/11/proposal-2027.pdf',
        attachedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it('attaches a document to a contract of the customer, under a given id', async () => {
      const target = await h.target(route);
      await h.authed().post(`/customers/${target.customerId}/contracts`).send(bodies.contract(CONTRACT_ID)).expect(201);
      const event = await h.expectAppended(route, target, { body: { ...bodies.attachment(CONTRACT_ID), kind: 'contract', documentId: 'doc-1' } });
      expect(event.data).toMatchObject({ documentId: 'doc-1', kind: 'contract', contractId: CONTRACT_ID });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without kind', body: (b) => omit(b, 'kind'), status: 400, field: 'kind' },
        { case: 'without fileName', body: (b) => omit(b, 'fileName'), status: 400, field: 'fileName' },
        { case: 'without contentType', body: (b) => omit(b, 'contentType'), status: 400, field: 'contentType' },
        { case: 'without sizeBytes', body: (b) => omit(b, 'sizeBytes'), status: 400, field: 'sizeBytes' },
        { case: 'without storageRef', body: (b) => omit(b, 'storageRef'), status: 400, field: 'storageRef' },
        { case: 'an unknown kind', body: (b) => ({ ...b, kind: 'photo' }), status: 400, field: 'kind' },
        { case: 'a contentType that is not a media type', body: (b) => ({ ...b, contentType: 'pdf' }), status: 400, field: 'contentType' },
        { case: 'a string for sizeBytes', body: (b) => ({ ...b, sizeBytes: '482113' }), status: 400, field: 'sizeBytes' },
        { case: 'a negative sizeBytes', body: (b) => ({ ...b, sizeBytes: -1 }), status: 400, field: 'sizeBytes' },
        { case: 'a number for fileName', body: (b) => ({ ...b, fileName: 7 }), status: 400, field: 'fileName' },
        { case: 'an unknown contract', body: (b) => ({ ...b, contractId: 'contract-nope' }), status: 422, reason: 'unknown_contract', field: 'contractId' },
        {
          case: 'a contract of another customer',
          given: async (harness) => {
            const other = await harness.register(bodies.register(newId()));
            await harness.authed().post(`/customers/${other}/contracts`).send(bodies.contract('contract-of-other')).expect(201);
          },
          body: (b) => ({ ...b, contractId: 'contract-of-other' }),
          status: 422,
          reason: 'unknown_contract',
          field: 'contractId',
        },
        {
          case: 'a document id already attached',
          given: async (harness, target) =>
            void (await harness.authed().post(`/customers/${target.customerId}/attachments`).send({ ...bodies.attachment(), documentId: 'doc-1' }).expect(201)),
          body: (b) => ({ ...b, documentId: 'doc-1', fileName: 'other.pdf' }),
          status: 422,
          reason: 'document_already_attached',
          field: 'documentId',
        },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });
});

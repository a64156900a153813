import { webhookJobId, webhookJobOptions } from './webhook.jobs.js';

describe('webhook jobs', () => {
  const job = { deliveryId: '9b2d7c4e-1f3a-8e6b-8c9d-0a1b2c3d4e5f', attempt: 3 };

  it('has one id per attempt of a delivery, without ":"', () => {
    expect(webhookJobId(job)).toBe('webhook/9b2d7c4e-1f3a-8e6b-8c9d-0a1b2c3d4e5f/3');
    expect(webhookJobId({ ...job, attempt: 4 })).not.toBe(webhookJobId(job));
    expect(webhookJobId(job)).not.toContain(':');
  });

  it('waits until the attempt is due, retries infrastructure failures, and frees its id when it gives up', () => {
    expect(webhookJobOptions(job, 1_500.4)).toMatchObject({ jobId: webhookJobId(job), delay: 1_500, attempts: 5, removeOnFail: true });
    expect(webhookJobOptions(job, -20).delay).toBe(0);
  });
});

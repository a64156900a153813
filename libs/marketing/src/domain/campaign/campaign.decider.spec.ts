import { NotFoundError, RuleViolationError, fold } from '#domain';
import { givenFor } from '#testing';
import {
  campaignDecider,
  campaignIdOfStream,
  campaignStream,
  initialCampaignState,
  toCampaignEvent,
  type CampaignCommand,
  type CampaignEvent,
  type CampaignState,
} from './index.js';

const given = givenFor(campaignDecider);

// ---- fixtures -----------------------------------------------------------------------------------

const ID = 'spring-2024';
const at = (day: number, time = '10:00:00') => `2024-05-${String(day).padStart(2, '0')}T${time}.000Z`;

const searchAd = { adId: 'ad-1', name: 'Desks on sale', url: 'https://shop.test/desks' };
const comparisonSite = { affiliateSiteId: 'site-1', name: 'Compare desks', url: 'https://compare.test' };

const launched: CampaignEvent = {
  type: 'CampaignLaunched',
  data: {
    name: 'Spring sale',
    channel: 'search',
    startsOn: '2024-05-10',
    endsOn: '2024-06-30',
    budgetMinor: 2_500_000,
    currency: 'EUR',
    ads: [searchAd],
    affiliates: [comparisonSite],
    launchedAt: at(1),
  },
};

const ended: CampaignEvent = { type: 'CampaignEnded', data: { endedOn: '2024-06-15', reason: 'budget spent', endedAt: at(20) } };

const launch = (overrides: Record<string, unknown> = {}): CampaignCommand =>
  ({
    type: 'LaunchCampaign',
    campaignId: ID,
    name: 'Spring sale',
    channel: 'search',
    startsOn: '2024-05-10',
    endsOn: '2024-06-30',
    budgetMinor: 2_500_000,
    currency: 'EUR',
    ads: [searchAd],
    affiliates: [comparisonSite],
    launchedAt: at(1),
    ...overrides,
  }) as CampaignCommand;

const addAd = (overrides: Record<string, unknown> = {}): CampaignCommand =>
  ({ type: 'AddAd', campaignId: ID, adId: 'ad-2', name: 'Chairs too', url: 'https://shop.test/chairs', addedAt: at(3), ...overrides }) as CampaignCommand;

const addAffiliate = (overrides: Record<string, unknown> = {}): CampaignCommand =>
  ({ type: 'AddAffiliate', campaignId: ID, affiliateSiteId: 'site-2', name: 'Office blog', url: 'https://blog.test', addedAt: at(4), ...overrides }) as CampaignCommand;

const end = (overrides: Record<string, unknown> = {}): CampaignCommand =>
  ({ type: 'EndCampaign', campaignId: ID, endedOn: '2024-06-15', reason: 'budget spent', endedAt: at(20), ...overrides }) as CampaignCommand;

// ---- LaunchCampaign -----------------------------------------------------------------------------

describe('LaunchCampaign', () => {
  it('launches with its ads and affiliate sites, trimming names, upper-casing the currency, normalising the time', () => {
    given([])
      .when(
        launch({
          name: ' Spring sale ',
          currency: 'eur',
          ads: [{ ...searchAd, name: 'Desks on sale  ' }],
          affiliates: [{ ...comparisonSite, name: ' Compare desks' }],
          launchedAt: '2024-05-01T12:00:00+02:00',
        }),
      )
      .then([launched]);
  });

  it('launches without ads or sites, for a single day, with no budget; an ad needs no url', () => {
    given([])
      .when(launch({ ads: undefined, affiliates: null, endsOn: '2024-05-10', budgetMinor: 0 }))
      .then([{ ...launched, data: { ...launched.data, endsOn: '2024-05-10', budgetMinor: 0, ads: [], affiliates: [] } }]);
    given([])
      .when(launch({ ads: [{ adId: 'ad-9', name: 'Print', url: null }], affiliates: [] }))
      .then([{ ...launched, data: { ...launched.data, ads: [{ adId: 'ad-9', name: 'Print' }], affiliates: [] } }]);
  });

  it('refuses to launch twice, and an ended campaign', () => {
    given([launched]).when(launch()).thenThrows(RuleViolationError, 'campaign_already_launched', 'campaignId');
    given([launched, ended]).when(launch()).thenThrows(RuleViolationError, 'campaign_already_launched', 'campaignId');
  });

  it.each([
    ['an end before the start', { endsOn: '2024-05-09' }, 'campaign_ends_before_start', 'endsOn'],
    ['an ad id twice', { ads: [searchAd, { adId: 'ad-2', name: 'b' }, { adId: 'ad-1', name: 'c' }] }, 'duplicate_ad', 'ads[2].adId'],
    ['a site id twice', { affiliates: [comparisonSite, comparisonSite] }, 'duplicate_affiliate_site', 'affiliates[1].affiliateSiteId'],
    ['a negative budget', { budgetMinor: -1 }, 'amount_negative', 'budgetMinor'],
    ['a fractional budget', { budgetMinor: 10.5 }, 'not_an_integer', 'budgetMinor'],
    ['no currency', { currency: undefined }, 'invalid_currency', 'currency'],
    ['a bad currency', { currency: 'E1R' }, 'invalid_currency', 'currency'],
    ['an unknown channel', { channel: 'radio' }, 'invalid_value', 'channel'],
    ['a blank name', { name: '  ' }, 'name_required', 'name'],
    ['a startsOn that does not exist', { startsOn: '2024-02-30' }, 'invalid_date', 'startsOn'],
    ['an endsOn that is not a date', { endsOn: 'June' }, 'invalid_date', 'endsOn'],
    ['an ad without id', { ads: [{ name: 'x' }] }, 'required', 'ads[0].adId'],
    ['an ad without name', { ads: [{ adId: 'a', name: ' ' }] }, 'required', 'ads[0].name'],
    ['an ad url that is not text', { ads: [{ adId: 'a', name: 'x', url: 42 }] }, 'invalid_value', 'ads[0].url'],
    ['an ad that is not an object', { ads: ['ad-1'] }, 'invalid_value', 'ads[0]'],
    ['ads that are not a list', { ads: { adId: 'a' } }, 'invalid_value', 'ads'],
    ['a site without url', { affiliates: [{ affiliateSiteId: 's', name: 'x' }] }, 'required', 'affiliates[0].url'],
    ['a bad launchedAt', { launchedAt: '2024-05-01' }, 'invalid_timestamp', 'launchedAt'],
  ])('refuses %s', (_, overrides, reason, field) => {
    given([]).when(launch(overrides)).thenThrows(RuleViolationError, reason, field);
  });
});

// ---- rules common to every command on a launched campaign ---------------------------------------

describe('any command but LaunchCampaign', () => {
  const cases = [addAd(), addAffiliate(), end()].map((command) => [command.type, command] as const);

  it.each(cases)('%s on an unknown campaign is 404 campaign_not_found', (_, command) => {
    given([]).when(command).thenThrows(NotFoundError, 'campaign_not_found', 'campaignId');
  });

  it.each(cases)('%s on an ended campaign is campaign_ended (ending twice included)', (_, command) => {
    given([launched, ended]).when(command).thenThrows(RuleViolationError, 'campaign_ended');
  });
});

// ---- AddAd / AddAffiliate -----------------------------------------------------------------------

describe('AddAd', () => {
  it('adds an ad, with or without a url', () => {
    given([launched])
      .when(addAd({ name: ' Chairs too ' }))
      .then([{ type: 'CampaignAdAdded', data: { ad: { adId: 'ad-2', name: 'Chairs too', url: 'https://shop.test/chairs' }, addedAt: at(3) } }]);
    given([launched])
      .when(addAd({ url: undefined }))
      .then([{ type: 'CampaignAdAdded', data: { ad: { adId: 'ad-2', name: 'Chairs too' }, addedAt: at(3) } }]);
  });

  it('refuses an ad id the campaign has, from the launch or added since', () => {
    given([launched]).when(addAd({ adId: 'ad-1' })).thenThrows(RuleViolationError, 'ad_already_added', 'adId');
    const history = [launched, ...campaignDecider.decide(addAd(), fold(campaignDecider, [launched]))];
    given(history).when(addAd({ name: 'again' })).thenThrows(RuleViolationError, 'ad_already_added', 'adId');
  });

  it.each([
    ['adId', { adId: '' }, 'required'],
    ['name', { name: undefined }, 'required'],
    ['url', { url: ['x'] }, 'invalid_value'],
    ['addedAt', { addedAt: 'now' }, 'invalid_timestamp'],
  ])('checks %s (%j)', (field, overrides, reason) => {
    given([launched]).when(addAd(overrides)).thenThrows(RuleViolationError, reason, field);
  });
});

describe('AddAffiliate', () => {
  it('adds an affiliate site', () => {
    given([launched])
      .when(addAffiliate())
      .then([{ type: 'CampaignAffiliateAdded', data: { affiliate: { affiliateSiteId: 'site-2', name: 'Office blog', url: 'https://blog.test' }, addedAt: at(4) } }]);
  });

  it('refuses a site the campaign has', () => {
    given([launched]).when(addAffiliate({ affiliateSiteId: 'site-1' })).thenThrows(RuleViolationError, 'affiliate_site_already_added', 'affiliateSiteId');
  });

  it.each([
    ['affiliateSiteId', { affiliateSiteId: null }, 'required'],
    ['name', { name: ' ' }, 'required'],
    ['url', { url: '' }, 'required'],
  ])('checks %s (%j)', (field, overrides, reason) => {
    given([launched]).when(addAffiliate(overrides)).thenThrows(RuleViolationError, reason, field);
  });
});

// ---- EndCampaign --------------------------------------------------------------------------------

describe('EndCampaign', () => {
  it('ends, early or late, on its first day at the earliest', () => {
    given([launched]).when(end()).then([ended]);
    given([launched])
      .when(end({ endedOn: '2024-05-10', reason: undefined }))
      .then([{ type: 'CampaignEnded', data: { endedOn: '2024-05-10', endedAt: at(20) } }]);
    expect(campaignDecider.decide(end({ endedOn: '2024-07-31' }), fold(campaignDecider, [launched]))).toHaveLength(1);
  });

  it('refuses an end before the start', () => {
    given([launched]).when(end({ endedOn: '2024-05-09' })).thenThrows(RuleViolationError, 'ended_before_start', 'endedOn');
  });

  it('checks endedOn and endedAt', () => {
    given([launched]).when(end({ endedOn: '2024-06-31' })).thenThrows(RuleViolationError, 'invalid_date', 'endedOn');
    given([launched]).when(end({ endedAt: '2024-06-15T10:00' })).thenThrows(RuleViolationError, 'invalid_timestamp', 'endedAt');
  });
});

// ---- evolve -------------------------------------------------------------------------------------

describe('evolve', () => {
  const history: CampaignEvent[] = [
    launched,
    { type: 'CampaignAdAdded', data: { ad: { adId: 'ad-2', name: 'Chairs too' }, addedAt: at(3) } },
    { type: 'CampaignAffiliateAdded', data: { affiliate: { affiliateSiteId: 'site-2', name: 'Office blog', url: 'https://blog.test' }, addedAt: at(4) } },
    ended,
  ];

  const expected: CampaignState = {
    launched: true,
    ended: true,
    name: 'Spring sale',
    channel: 'search',
    startsOn: '2024-05-10',
    endsOn: '2024-06-30',
    budgetMinor: 2_500_000,
    currency: 'EUR',
    ads: [searchAd, { adId: 'ad-2', name: 'Chairs too' }],
    affiliates: [comparisonSite, { affiliateSiteId: 'site-2', name: 'Office blog', url: 'https://blog.test' }],
    launchedAt: at(1),
    endedOn: '2024-06-15',
    endReason: 'budget spent',
    endedAt: at(20),
  };

  it('folds a full history into the expected state', () => {
    expect(fold(campaignDecider, history)).toStrictEqual(expected);
  });

  it('gives a JSON state that survives a round trip, without changing the initial state', () => {
    const before = structuredClone(initialCampaignState);
    const state = fold(campaignDecider, history);
    expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
    expect(initialCampaignState).toStrictEqual(before);
    expect(Object.isFrozen(initialCampaignState.ads)).toBe(true);
  });

  it('skips event types it does not know', () => {
    const state = fold(campaignDecider, [launched]);
    expect(campaignDecider.evolve(state, { type: 'FromTheFuture', data: {} } as unknown as CampaignEvent)).toBe(state);
    expect(toCampaignEvent({ type: 'FromTheFuture', data: {} })).toBeUndefined();
  });
});

describe('campaign streams', () => {
  it('names streams campaign-<id>', () => {
    expect(campaignStream('spring')).toBe('campaign-spring');
    expect(campaignIdOfStream('campaign-spring')).toBe('spring');
    expect(campaignIdOfStream('campaign-')).toBeUndefined();
    expect(campaignIdOfStream('product-spring')).toBeUndefined();
    expect(() => campaignStream('')).toThrow();
  });
});

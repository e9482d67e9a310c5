import slipwayPlugin from './alpha';

describe('new frontend system plugin', () => {
  it('provides the API, the Deploy entity content and the fleet page', () => {
    const ids = (slipwayPlugin as any).extensions?.map((e: any) => e.id) ?? [];
    expect(slipwayPlugin.id).toBe('slipway');
    expect(ids).toEqual(
      expect.arrayContaining([
        'api:slipway',
        'entity-content:slipway/deploy',
        'entity-card:slipway/deploy',
        'page:slipway/fleet',
        'page:slipway/promotions',
      ]),
    );
  });
});

/** The page's dataset fields: inline errors from the model's own rules, the URL round trip, the MNIST preset. */
import { describe, expect, it } from 'vitest';
import { fmtPercent } from '../../src/bench/format';
import { PRESETS } from '../../src/ui/presets';
import { DEFAULT_DRAFT, checkDraft, draftFromQuery, draftToQuery, queryNotices } from '../../src/ui/run-draft';

const mnist = { ...DEFAULT_DRAFT, dataset: 'mnist', layers: '784,64,10', loss: 'ce', trainSize: '1024', validationSize: '500' };

describe('the dataset in the form', () => {
  it('an MNIST draft runs with its sizes', () => {
    const { request, errors } = checkDraft(mnist, null);
    expect(errors).toEqual({});
    expect(request!.config).toMatchObject({ dataset: 'mnist', trainSize: 1024, validationSize: 500, layers: [784, 64, 10] });
  });

  it.each([
    [{ layers: '16,32,8' }, 'layers', 'with dataset mnist must start at 784'],
    [{ loss: 'mse' }, 'loss', 'with dataset mnist must be ce'],
    [{ trainSize: '1000' }, 'trainSize', 'must be a multiple of batch (32), e.g. 992 or 1024'],
    [{ trainSize: 'lots' }, 'trainSize', 'trainSize = "lots": must be an integer from 1 to 10000'],
    [{ validationSize: '9000' }, 'validationSize', 'must be at most 8976'],
    [{ labelNoise: '0.95' }, 'labelNoise', 'labelNoise = 0.95: must be a number from 0 to 0.9'],
    [{ dataset: 'teacher', layers: '16,32,8', loss: 'mse', labelNoise: '0.2' }, 'labelNoise', 'must be 0 with dataset teacher'],
  ])('%j: an inline error on its field', (change, field, message) => {
    const { request, errors } = checkDraft({ ...mnist, ...change }, null);
    expect(request).toBeUndefined();
    expect(errors[field as keyof typeof errors]).toContain(message);
  });

  it('the URL carries the dataset and its sizes only when it is MNIST, and reads them back', () => {
    expect(draftToQuery(DEFAULT_DRAFT)).not.toContain('dataset');
    const q = draftToQuery(mnist);
    expect(q).toContain('dataset=mnist');
    expect(q).toContain('trainSize=1024');
    const back = draftFromQuery(q);
    expect([back.dataset, back.trainSize, back.validationSize, back.layers]).toEqual(['mnist', '1024', '500', '784,64,10']);
    expect(queryNotices('dataset=cifar')).toEqual(['dataset = "cifar" is not one of teacher, mnist']);
  });

  it('label noise: in the request as a number, and in the URL only when set', () => {
    expect(checkDraft({ ...mnist, labelNoise: '0.3' }, null).request!.config.labelNoise).toBe(0.3);
    expect(checkDraft(mnist, null).request!.config.labelNoise).toBe(0);
    expect(draftToQuery(mnist)).not.toContain('labelNoise');
    const q = draftToQuery({ ...mnist, labelNoise: '0.3' });
    expect(q).toContain('labelNoise=0.3');
    expect(draftFromQuery(q).labelNoise).toBe('0.3');
    expect(queryNotices(q)).toEqual([]);
  });

  it('the overfitting preset is a valid MNIST run', () => {
    const p = PRESETS.find((x) => x.id === 'overfit')!;
    const { request, errors } = checkDraft(p.draft, null);
    expect(errors).toEqual({});
    expect(request!.config).toMatchObject({ dataset: 'mnist', loss: 'ce', optimizer: 'sgd', labelNoise: 0.2 });
    expect(request!.baseline).toBe(true);
  });

  it('accuracy reads as a percentage', () => {
    expect([fmtPercent(0.98412), fmtPercent(1), fmtPercent(null), fmtPercent(Number.NaN)]).toEqual(['98.4 %', '100.0 %', '—', '—']);
  });
});

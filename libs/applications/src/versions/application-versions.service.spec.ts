import { ApplicationEntity, ApplicationType } from '../application.entity';
import { ApplicationVersionEntity } from './application-version.entity';
import { ApplicationVersionsService } from './application-versions.service';

function version(name: string, binaryId: string, tags: string[]): ApplicationVersionEntity {
  return Object.assign(new ApplicationVersionEntity(), { version: name, binaryId, tags });
}

// resolveServed reads only the application it is given; the service's collaborators are not needed.
const service = new ApplicationVersionsService(
  null as never,
  null as never,
  null as never,
  {} as never,
  null as never,
);

describe('ApplicationVersionsService.resolveServed (what /apps/{contextPath}[@x]/ serves)', () => {
  const application = Object.assign(new ApplicationEntity(), {
    type: ApplicationType.Hosted,
    activeVersionId: '10',
    versions: [version('1.0.0', '10', ['latest']), version('2.0.0', '20', ['next', '1.0'])],
  });

  it.each([
    [undefined, { binaryId: '10', kind: 'active', pinned: false }],
    ['2.0.0', { binaryId: '20', kind: 'version', pinned: true }],
    ['next', { binaryId: '20', kind: 'tag', pinned: false }],
    ['latest', { binaryId: '10', kind: 'tag', pinned: false }],
    ['1.0', { binaryId: '20', kind: 'tag', pinned: false }],
    ['3.0.0', null],
  ])('@%s', (selector, expected) => {
    expect(service.resolveServed(application, selector)).toEqual(expected);
  });

  it('prefers an exact version over a tag of the same name', () => {
    const clashing = Object.assign(new ApplicationEntity(), {
      activeVersionId: null,
      versions: [version('1.0', '30', []), version('2.0.0', '40', ['1.0'])],
    });
    expect(service.resolveServed(clashing, '1.0')).toEqual({ binaryId: '30', kind: 'version', pinned: true });
    expect(service.resolveServed(clashing, undefined)).toBeNull();
  });
});

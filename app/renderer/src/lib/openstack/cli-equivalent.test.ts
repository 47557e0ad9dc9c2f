import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { cliEquivalent, imageCreateCommand, matchPattern, shellQuote } from './cli-equivalent'

const id = (service: string, method: string, path: string, body?: unknown) => cliEquivalent({ service, method, path, body })

describe('cliEquivalent: identity', () => {
  it('maps the examples of the dashboard brief', () => {
    assert.equal(id('identity', 'POST', '/v3/projects', { project: { name: 'p1' } }), 'openstack project create p1')
    assert.equal(id('identity', 'GET', '/v3/projects'), 'openstack project list')
    assert.equal(id('identity', 'DELETE', '/v3/users/u-1'), 'openstack user delete u-1')
    assert.equal(id('identity', 'PUT', '/v3/projects/p-1/users/u-1/roles/r-1'), 'openstack role add --project p-1 --user u-1 r-1')
    assert.equal(id('identity', 'GET', '/v3/role_assignments'), 'openstack role assignment list --names')
    assert.equal(id('identity', 'POST', '/v3/auth/tokens', { auth: {} }), 'openstack token issue')
  })

  it('carries options and quotes what the shell would split', () => {
    assert.equal(
      id('identity', 'POST', '/v3/projects', { project: { name: 'my class', description: "Bob's lab", enabled: false, domain_id: 'default' } }),
      "openstack project create --domain default --description 'Bob'\\''s lab' --disable 'my class'",
    )
    assert.equal(
      id('identity', 'POST', '/v3/users', { user: { name: 'ann', password: 'secret', default_project_id: 'p-1', email: 'a@b.c' } }),
      'openstack user create --project p-1 --email a@b.c --password-prompt ann',
    )
  })

  it('never puts a password on the command line', () => {
    const cmd = id('identity', 'POST', '/v3/users', { user: { name: 'ann', password: 'hunter2' } }) ?? ''
    assert.doesNotMatch(cmd, /hunter2/)
  })

  it('maps role revocation and grants on domains and for groups', () => {
    assert.equal(id('identity', 'DELETE', '/v3/projects/p/users/u/roles/r'), 'openstack role remove --project p --user u r')
    assert.equal(id('identity', 'PUT', '/v3/domains/d/groups/g/roles/r'), 'openstack role add --domain d --group g r')
  })

  it('turns role-assignment filters into options', () => {
    assert.equal(
      cliEquivalent({ service: 'identity', method: 'GET', path: '/v3/role_assignments', query: 'user.id=u&scope.project.id=p&include_names=true' }),
      'openstack role assignment list --user u --project p --names',
    )
  })

  it('maps the calls the dashboard makes itself', () => {
    assert.equal(id('identity', 'GET', '/v3/auth/projects'), 'openstack project list --my-projects')
    assert.equal(id('identity', 'DELETE', '/v3/auth/tokens'), 'openstack token revoke <token>')
    assert.equal(id('identity', 'GET', '/v3/users'), 'openstack user list')
    assert.equal(id('identity', 'GET', '/v3/roles'), 'openstack role list')
  })

  it('answers null for what has no command', () => {
    assert.equal(id('identity', 'GET', '/v3/auth/tokens'), null)
    assert.equal(id('identity', 'GET', '/v3/OS-FEDERATION/identity_providers'), null)
    assert.equal(id('identity', 'POST', '/v3/projects', { project: {} }), null)
    assert.equal(id('nonsense', 'GET', '/'), null)
  })
})

describe('cliEquivalent: other services', () => {
  it('maps compute', () => {
    assert.equal(id('compute', 'GET', '/servers/detail'), 'openstack server list --long')
    assert.equal(
      id('compute', 'POST', '/servers', { server: { name: 'vm1', flavorRef: 'm1.tiny', imageRef: 'cirros', networks: [{ uuid: 'n1' }], key_name: 'k' } }),
      'openstack server create --image cirros --flavor m1.tiny --network n1 --key-name k --wait vm1',
    )
    assert.equal(id('compute', 'POST', '/servers/s1/action', { 'os-stop': null }), 'openstack server stop s1')
    assert.equal(id('compute', 'POST', '/servers/s1/action', { reboot: { type: 'HARD' } }), 'openstack server reboot --hard s1')
    assert.equal(id('compute', 'DELETE', '/os-keypairs/mykey'), 'openstack keypair delete mykey')
  })

  it('maps what the launch wizard sends to one server create --wait', () => {
    assert.equal(
      id('compute', 'POST', '/servers', { server: { name: 'web 1', imageRef: 'img-1', flavorRef: '42', key_name: 'ann', user_data: 'I2Nsb3VkLWNvbmZpZw==', metadata: { role: 'web' }, min_count: 3, max_count: 3 } }),
      "openstack server create --image img-1 --flavor 42 --key-name ann --user-data <file> --property role=web --min 3 --max 3 --wait 'web 1'",
    )
    assert.equal(id('compute', 'POST', '/servers', { server: { name: 'a', imageRef: 'i', flavorRef: '1', min_count: 1, max_count: 1, networks: 'none' } }), 'openstack server create --image i --flavor 1 --nic none --wait a')
    assert.equal(id('compute', 'POST', '/servers', { server: { imageRef: 'i', flavorRef: '1' } }), null)
  })

  it('maps every server action the dashboard sends', () => {
    const action = (body: unknown) => id('compute', 'POST', '/servers/s1/action', body)
    assert.equal(action({ 'os-start': null }), 'openstack server start s1')
    assert.equal(action({ reboot: { type: 'SOFT' } }), 'openstack server reboot s1')
    assert.equal(action({ pause: null }), 'openstack server pause s1')
    assert.equal(action({ unpause: null }), 'openstack server unpause s1')
    assert.equal(action({ suspend: null }), 'openstack server suspend s1')
    assert.equal(action({ resume: null }), 'openstack server resume s1')
    assert.equal(action({ createImage: { name: 'snap 1' } }), "openstack server image create --name 'snap 1' s1")
    assert.equal(action({ rebuild: { imageRef: 'img-2' } }), 'openstack server rebuild --image img-2 s1')
    assert.equal(action({ 'os-getConsoleOutput': { length: 50 } }), 'openstack console log show --lines 50 s1')
    assert.equal(action({ 'os-getConsoleOutput': { length: null } }), 'openstack console log show s1')
    assert.equal(action({ 'os-getSerialConsole': { type: 'serial' } }), 'openstack console url show --serial s1')
    assert.equal(action({ frobnicate: null }), null)
    assert.equal(id('compute', 'DELETE', '/servers/s1'), 'openstack server delete s1')
    assert.equal(id('compute', 'GET', '/servers/s1'), 'openstack server show s1')
    assert.equal(id('compute', 'GET', '/servers/s1/os-instance-actions'), 'openstack server event list s1')
    assert.equal(id('compute', 'GET', '/servers/s1/os-instance-actions/req-1'), 'openstack server event show s1 req-1')
  })

  it('maps flavors, key pairs, limits and hypervisors', () => {
    assert.equal(id('compute', 'GET', '/flavors/detail'), 'openstack flavor list --long')
    assert.equal(cliEquivalent({ service: 'compute', method: 'GET', path: '/flavors/detail', query: 'is_public=None' }), 'openstack flavor list --all --long')
    assert.equal(
      id('compute', 'POST', '/flavors', { flavor: { name: 'm1.mini', vcpus: 1, ram: 256, disk: 1, 'OS-FLV-EXT-DATA:ephemeral': 0, swap: 0, 'os-flavor-access:is_public': false } }),
      'openstack flavor create --vcpus 1 --ram 256 --disk 1 --private m1.mini',
    )
    assert.equal(id('compute', 'POST', '/flavors', { flavor: { name: 'big', id: 'b1', vcpus: 4, ram: 4096, disk: 20, 'OS-FLV-EXT-DATA:ephemeral': 5, swap: 512 } }), 'openstack flavor create --id b1 --vcpus 4 --ram 4096 --disk 20 --ephemeral 5 --swap 512 big')
    assert.equal(id('compute', 'DELETE', '/flavors/f1'), 'openstack flavor delete f1')
    assert.equal(id('compute', 'GET', '/os-keypairs'), 'openstack keypair list')
    assert.equal(id('compute', 'POST', '/os-keypairs', { keypair: { name: 'ann', key_type: 'ed25519' } }), 'openstack keypair create ann')
    assert.equal(id('compute', 'POST', '/os-keypairs', { keypair: { name: 'ann', public_key: 'ssh-ed25519 AAAA' } }), 'openstack keypair create --public-key <file> ann')
    assert.equal(id('compute', 'GET', '/limits'), 'openstack limits show --absolute')
    assert.equal(id('compute', 'GET', '/os-hypervisors/detail'), 'openstack hypervisor list --long')
  })

  it('maps image, volume, network and object storage', () => {
    assert.equal(id('image', 'GET', '/v2/images'), 'openstack image list')
    assert.equal(id('volumev3', 'POST', '/volumes', { volume: { name: 'v1', size: 1 } }), 'openstack volume create --size 1 v1')
    assert.equal(id('block-storage', 'DELETE', '/volumes/v1'), 'openstack volume delete v1')
    assert.equal(id('network', 'POST', '/v2.0/subnets', { subnet: { name: 's', network_id: 'n', cidr: '10.0.0.0/24' } }), 'openstack subnet create --network n --subnet-range 10.0.0.0/24 s')
    assert.equal(id('network', 'DELETE', '/v2.0/security-groups/sg'), 'openstack security group delete sg')
    assert.equal(id('network', 'GET', '/v2.0/networks'), 'openstack network list')
    assert.equal(id('network', 'POST', '/v2.0/networks', { network: { name: 'n' } }), 'openstack network create n')
    assert.equal(id('network', 'POST', '/v2.0/networks', { network: { name: 'ext', shared: true, 'router:external': true } }), 'openstack network create --share --external ext')
    assert.equal(id('network', 'DELETE', '/v2.0/networks/n1'), 'openstack network delete n1')
    assert.equal(id('network', 'GET', '/v2.0/routers'), 'openstack router list')
    assert.equal(id('network', 'GET', '/v2.0/security-groups'), 'openstack security group list')
    assert.equal(
      id('network', 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: 'sg', direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' } }),
      'openstack security group rule create --protocol tcp --dst-port 22 --remote-ip 0.0.0.0/0 sg',
    )
    assert.equal(id('network', 'DELETE', '/v2.0/security-group-rules/r1'), 'openstack security group rule delete r1')
    assert.equal(id('network', 'GET', '/v2.0/floatingips'), 'openstack floating ip list')
    assert.equal(id('network', 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: 'public' } }), 'openstack floating ip create public')
    assert.equal(id('object-store', 'PUT', '/photos'), 'openstack container create photos')
  })

  it('maps subnets, ports, floating IPs and port forwardings with their options', () => {
    assert.equal(
      id('network', 'POST', '/v2.0/subnets', {
        subnet: { name: 's', network_id: 'n', cidr: '10.1.0.0/24', gateway_ip: null, enable_dhcp: false, dns_nameservers: ['9.9.9.9'], allocation_pools: [{ start: '10.1.0.10', end: '10.1.0.20' }] },
      }),
      'openstack subnet create --network n --subnet-range 10.1.0.0/24 --gateway none --no-dhcp --dns-nameserver 9.9.9.9 --allocation-pool start=10.1.0.10,end=10.1.0.20 s',
    )
    assert.equal(id('network', 'POST', '/v2.0/subnets', { subnet: { name: 's', network_id: 'n', cidr: '10.1.0.0/24', gateway_ip: '10.1.0.254' } }), 'openstack subnet create --network n --subnet-range 10.1.0.0/24 --gateway 10.1.0.254 s')
    assert.equal(id('network', 'DELETE', '/v2.0/subnets/s1'), 'openstack subnet delete s1')
    assert.equal(id('network', 'GET', '/v2.0/ports'), 'openstack port list')
    assert.equal(id('network', 'GET', '/v2.0/ports?network_id=n1&device_owner=network:router_interface'), 'openstack port list --network n1 --device-owner network:router_interface')
    assert.equal(id('network', 'GET', '/v2.0/ports?device_id=vm1'), 'openstack port list --device-id vm1')
    assert.equal(
      id('network', 'POST', '/v2.0/ports', { port: { network_id: 'n1', name: 'p1', fixed_ips: [{ subnet_id: 's1', ip_address: '10.0.0.9' }], security_groups: ['sg1'] } }),
      'openstack port create --network n1 --fixed-ip subnet=s1,ip-address=10.0.0.9 --security-group sg1 p1',
    )
    assert.equal(id('network', 'POST', '/v2.0/ports', { port: { network_id: 'n1', security_groups: [] } }), "openstack port create --network n1 --no-security-group '<name>'")
    assert.equal(id('network', 'PUT', '/v2.0/ports/p1', { port: { security_groups: ['a', 'b'] } }), 'openstack port set --no-security-group --security-group a --security-group b p1')
    assert.equal(id('network', 'PUT', '/v2.0/ports/p1', { port: { security_groups: [] } }), 'openstack port set --no-security-group p1')
    assert.equal(id('network', 'DELETE', '/v2.0/ports/p1'), 'openstack port delete p1')
    assert.equal(id('network', 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: 'pub', port_id: 'p1' } }), 'openstack floating ip create --port p1 pub')
    assert.equal(id('network', 'PUT', '/v2.0/floatingips/f1', { floatingip: { port_id: 'p1' } }), 'openstack floating ip set --port p1 f1')
    assert.equal(id('network', 'PUT', '/v2.0/floatingips/f1', { floatingip: { port_id: null } }), 'openstack floating ip unset --port f1')
    assert.equal(id('network', 'DELETE', '/v2.0/floatingips/f1'), 'openstack floating ip delete f1')
    assert.equal(id('network', 'GET', '/v2.0/floatingips/f1/port_forwardings'), 'openstack floating ip port forwarding list f1')
    assert.equal(
      id('network', 'POST', '/v2.0/floatingips/f1/port_forwardings', {
        port_forwarding: { protocol: 'tcp', internal_ip_address: '10.0.0.5', internal_port: 8080, internal_port_id: 'p1', external_port: 40100 },
      }),
      'openstack floating ip port forwarding create --internal-ip-address 10.0.0.5 --port p1 --internal-protocol-port 8080 --external-protocol-port 40100 --protocol tcp f1',
    )
    assert.equal(id('network', 'DELETE', '/v2.0/floatingips/f1/port_forwardings/pf1'), 'openstack floating ip port forwarding delete f1 pf1')
  })

  it('adds networks and security groups to server create', () => {
    assert.equal(
      id('compute', 'POST', '/servers', { server: { name: 'vm', imageRef: 'i', flavorRef: '1', networks: [{ uuid: 'n1' }, { uuid: 'n2' }], security_groups: [{ name: 'default' }, { name: 'web' }] } }),
      'openstack server create --image i --flavor 1 --network n1 --network n2 --security-group default --security-group web --wait vm',
    )
    assert.equal(id('object-store', 'GET', '/photos/2024/cat.jpg'), 'openstack object save photos 2024/cat.jpg')
    assert.equal(id('object-store', 'GET', ''), 'openstack container list')
  })
})

describe('cliEquivalent: image (Glance v2)', () => {
  it('maps the list with its filters and sort', () => {
    assert.equal(cliEquivalent({ service: 'image', method: 'GET', path: '/v2/images', query: 'limit=100&sort=name:asc' }), 'openstack image list --sort name:asc')
    assert.equal(cliEquivalent({ service: 'image', method: 'GET', path: '/v2/images', query: 'visibility=community&status=active' }), 'openstack image list --community --status active')
    assert.equal(cliEquivalent({ service: 'image', method: 'GET', path: '/v2/images?marker=x&limit=2' }), 'openstack image list')
  })

  it('maps create with attributes and custom properties', () => {
    assert.equal(
      id('image', 'POST', '/v2/images', { name: 'cirros', disk_format: 'qcow2', container_format: 'bare', visibility: 'private', min_disk: 1, min_ram: 0, protected: false }),
      'openstack image create --disk-format qcow2 --container-format bare --min-disk 1 --private cirros',
    )
    assert.equal(
      id('image', 'POST', '/v2/images', { name: 'my image', disk_format: 'raw', container_format: 'bare', visibility: 'public', protected: true, hw_disk_bus: 'virtio', os_distro: 'ubuntu' }),
      "openstack image create --disk-format raw --container-format bare --public --protected --property hw_disk_bus=virtio --property os_distro=ubuntu 'my image'",
    )
    assert.equal(id('image', 'POST', '/v2/images', { disk_format: 'raw' }), null)
  })

  it('shows the upload as the one command that creates and uploads', () => {
    assert.equal(
      imageCreateCommand({ name: 'tiny', disk_format: 'qcow2', container_format: 'bare', visibility: 'private', min_disk: 0, min_ram: 0 }, 'tiny.qcow2'),
      'openstack image create --disk-format qcow2 --container-format bare --private --file tiny.qcow2 tiny',
    )
    assert.equal(imageCreateCommand({ name: 'a', disk_format: 'iso' }, 'my disc.iso'), "openstack image create --disk-format iso --file 'my disc.iso' a")
    assert.equal(id('image', 'PUT', '/v2/images/i-1/file'), 'openstack image create --disk-format <format> --container-format bare --file <file> <name>')
    assert.equal(id('image', 'GET', '/v2/images/i-1/file'), 'openstack image save --file <file> i-1')
    assert.equal(id('image', 'PUT', '/v2/images/i-1/stage'), 'openstack image stage --file <file> i-1')
  })

  it('maps a JSON-patch to image set and image unset', () => {
    const patch = (ops: unknown) => cliEquivalent({ service: 'image', method: 'PATCH', path: '/v2/images/i-1', body: ops })
    assert.equal(
      patch([
        { op: 'replace', path: '/name', value: 'x' },
        { op: 'add', path: '/hw_disk_bus', value: 'virtio' },
        { op: 'remove', path: '/foo' },
      ]),
      'openstack image set --name x --property hw_disk_bus=virtio i-1 && openstack image unset --property foo i-1',
    )
    assert.equal(
      patch([
        { op: 'replace', path: '/visibility', value: 'community' },
        { op: 'replace', path: '/protected', value: false },
        { op: 'replace', path: '/min_ram', value: 512 },
        { op: 'replace', path: '/a~1b', value: 'c d' },
      ]),
      "openstack image set --community --unprotected --min-ram 512 --property 'a/b=c d' i-1",
    )
    assert.equal(patch([{ op: 'remove', path: '/os_distro' }]), 'openstack image unset --property os_distro i-1')
    assert.equal(patch([{ op: 'replace', path: '/status', value: 'active' }]), null, 'read-only attributes have no command')
    assert.equal(patch({ name: 'x' }), null)
  })

  it('maps actions, import, members and tags', () => {
    assert.equal(id('image', 'DELETE', '/v2/images/i-1'), 'openstack image delete i-1')
    assert.equal(id('image', 'GET', '/v2/images/i-1'), 'openstack image show i-1')
    assert.equal(id('image', 'POST', '/v2/images/i-1/actions/deactivate'), 'openstack image set --deactivate i-1')
    assert.equal(id('image', 'POST', '/v2/images/i-1/actions/reactivate'), 'openstack image set --activate i-1')
    assert.equal(
      id('image', 'POST', '/v2/images/i-1/import', { method: { name: 'web-download', uri: 'http://example.org/c.img' } }),
      'openstack image import --method web-download --uri http://example.org/c.img i-1',
    )
    assert.equal(id('image', 'POST', '/v2/images/i-1/import', { method: { name: 'glance-direct' } }), 'openstack image import i-1')
    assert.equal(id('image', 'GET', '/v2/info/import'), 'openstack image import info')
    assert.equal(id('image', 'POST', '/v2/images/i-1/members', { member: 'p-2' }), 'openstack image add project i-1 p-2')
    assert.equal(id('image', 'PUT', '/v2/images/i-1/members/p-2', { status: 'accepted' }), 'openstack image set --accept --project p-2 i-1')
    assert.equal(id('image', 'DELETE', '/v2/images/i-1/members/p-2'), 'openstack image remove project i-1 p-2')
    assert.equal(id('image', 'PUT', '/v2/images/i-1/tags/gold'), 'openstack image set --tag gold i-1')
    assert.equal(id('image', 'DELETE', '/v2/images/i-1/tags/gold'), 'openstack image unset --tag gold i-1')
    assert.equal(id('image', 'GET', '/v2/schemas/image'), null)
  })
})

describe('block storage and object storage panels', () => {
  const id = (service: string, method: string, path: string, body?: unknown) => cliEquivalent({ service, method, path, body })
  it('maps the Volumes panel calls', () => {
    assert.equal(id('volumev3', 'POST', '/volumes', { volume: { name: 'v3', snapshot_id: 's1', volume_type: null, metadata: {} } }), 'openstack volume create --snapshot s1 v3')
    assert.equal(id('volumev3', 'POST', '/volumes', { volume: { name: 'v2', size: 1, imageRef: 'img', volume_type: null, metadata: {} } }), 'openstack volume create --size 1 --image img v2')
    assert.equal(id('volumev3', 'POST', '/volumes/v1/action', { 'os-extend': { new_size: 2 } }), 'openstack volume set --size 2 v1')
    assert.equal(id('volumev3', 'POST', '/snapshots', { snapshot: { volume_id: 'v1', name: 's1', force: false } }), 'openstack volume snapshot create --volume v1 s1')
    assert.equal(id('compute', 'POST', '/servers/vm1/os-volume_attachments', { volumeAttachment: { volumeId: 'v1' } }), 'openstack server add volume vm1 v1')
    assert.equal(id('compute', 'DELETE', '/servers/vm1/os-volume_attachments/v1'), 'openstack server remove volume vm1 v1')
  })
  it('maps boot from volume', () => {
    const server = (dot: boolean) => ({ server: { name: 'vm1', imageRef: '', flavorRef: 'f', block_device_mapping_v2: [{ boot_index: 0, uuid: 'img', source_type: 'image', destination_type: 'volume', volume_size: 2, delete_on_termination: dot }] } })
    assert.equal(id('compute', 'POST', '/servers', server(false)), 'openstack server create --image img --boot-from-volume 2 --flavor f --wait vm1')
    assert.equal(
      id('compute', 'POST', '/servers', server(true)),
      'openstack server create --block-device uuid=img,source_type=image,destination_type=volume,volume_size=2,boot_index=0,delete_on_termination=true --flavor f --wait vm1',
    )
  })
  it('maps the Object store panel calls', () => {
    assert.equal(id('object-store', 'POST', '/c1'), 'swift post c1')
    assert.equal(id('object-store', 'POST', ''), 'openstack object store account set --property <key>=<value>')
    assert.equal(id('object-store', 'PUT', '/c1/file?multipart-manifest=put'), 'openstack object create --name file c1 <file>')
    assert.equal(id('object-store', 'DELETE', '/c1/dir/file'), 'openstack object delete c1 dir/file')
  })
})

describe('matchPattern', () => {
  it('matches segments, alternatives and rest-of-path', () => {
    assert.deepEqual(matchPattern('/v3/projects/{id}', '/v3/projects/abc'), { id: 'abc' })
    assert.equal(matchPattern('/v3/projects/{id}', '/v3/projects'), null)
    assert.equal(matchPattern('/v3/projects', '/v3/projects/abc'), null)
    assert.equal(matchPattern('/v3/{k:projects|domains}', '/v3/users'), null)
    assert.deepEqual(matchPattern('/{c}/{o*}', '/c/a%20b/c'), { c: 'c', o: 'a b/c' })
  })
})

describe('shellQuote', () => {
  it('leaves plain words alone and quotes the rest', () => {
    assert.equal(shellQuote('abc-1.2_x'), 'abc-1.2_x')
    assert.equal(shellQuote('a b'), "'a b'")
    assert.equal(shellQuote(''), "''")
    assert.equal(shellQuote('$(rm -rf /)'), "'$(rm -rf /)'")
  })
})

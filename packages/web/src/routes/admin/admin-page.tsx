import { Fragment, useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  Code,
  FileInput,
  Group,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  api,
  ApiError,
  idempotencyKey,
  sendRaw,
  unwrap,
  type Me,
  type Partnership,
} from '../../api/client';
import { usePartnerships } from '../../api/queries';
import { PageHeader } from '../../components/page-header';
import { WriteError } from '../../components/problem-fields';
import { QueryState } from '../../components/query-state';
import { formatDate, formatDateTime, humanize, roleLabel } from '../../lib/format';
import { priceListsInForce, replaceNote } from './price-lists';
import {
  billingDraftOf,
  billingInputOf,
  EMPTY_BILLING,
  formatBillingAddress,
  type BillingInput,
} from './billing';
import { BILLING_FIELD_PATHS, BillingFields } from './billing-fields';
import { VENDOR_ROLES, useMe } from '../../session/session';

function problemLines(error: unknown): string[] {
  if (!(error instanceof ApiError)) return error instanceof Error ? [error.message] : [];
  const items = error.problem.errors ?? [];
  return items.length ? items.map((e) => `${e.path}: ${e.message}`) : [error.message];
}

function ErrorList({ error }: { error: unknown }) {
  const lines = problemLines(error);
  if (lines.length === 0) return null;
  return (
    <Alert color="red" role="alert" title="Not saved">
      <Stack gap={2}>
        {lines.map((l, i) => (
          <Text size="sm" key={i} ff="monospace">
            {l}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}

/**
 * What became of an invitation: sent by mail, or — on a server that sends no mail — the
 * single-use link the admin must pass on (the answer carries it only then).
 */
function InvitationOutcome({
  invitation,
  sent,
}: {
  invitation: { expiresAt: string; link?: string };
  sent: string;
}) {
  if (!invitation.link) {
    return (
      <Alert color="green" role="status">
        {sent}
      </Alert>
    );
  }
  return (
    <Alert color="yellow" role="status" title="No mail was sent">
      <Stack gap={4}>
        <Text size="sm">
          This server sends no mail (SMTP_URL is not set). Give the user this single-use link to set
          a password, before {formatDateTime(invitation.expiresAt)}:
        </Text>
        <Code block aria-label="Invitation link">
          {invitation.link}
        </Code>
      </Stack>
    </Alert>
  );
}

function UsersTab() {
  const queryClient = useQueryClient();
  const users = useQuery({
    queryKey: ['users'],
    queryFn: async () => unwrap(await api.GET('/api/v1/users')).items,
  });
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<string[]>(['order_desk']);
  const invite = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/users', {
          params: { header: { 'Idempotency-Key': idempotencyKey() } },
          body: { email, name, roles: roles as Me['roles'] },
        }),
      ),
    onSuccess: async () => {
      setEmail('');
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const deactivate = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE('/api/v1/users/{id}', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  return (
    <Stack>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate();
        }}
      >
        <Stack gap="xs">
          <Title order={3} size="h4">
            Invite a user
          </Title>
          <Group grow wrap="wrap" align="flex-start">
            <TextInput
              label="Name"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <TextInput
              label="E-mail"
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
          </Group>
          <Checkbox.Group label="Roles" value={roles} onChange={setRoles}>
            <Group mt={4}>
              {VENDOR_ROLES.map((r) => (
                <Checkbox key={r} value={r} label={roleLabel(r)} />
              ))}
            </Group>
          </Checkbox.Group>
          {invite.error && <ErrorList error={invite.error} />}
          {invite.isSuccess && (
            <InvitationOutcome invitation={invite.data.invitation} sent="Invitation sent." />
          )}
          <Button type="submit" w="fit-content" loading={invite.isPending}>
            Send invitation
          </Button>
        </Stack>
      </form>
      <QueryState query={users}>
        {(items) => (
          <Table.ScrollContainer minWidth={560}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>E-mail</Table.Th>
                  <Table.Th>Roles</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Action</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td>{u.name}</Table.Td>
                    <Table.Td>{u.email}</Table.Td>
                    <Table.Td>{u.roles.map(roleLabel).join(', ')}</Table.Td>
                    <Table.Td>{humanize(u.status)}</Table.Td>
                    <Table.Td>
                      {u.status !== 'deactivated' && (
                        <Button
                          size="xs"
                          variant="outline"
                          color="red.9"
                          onClick={() => deactivate.mutate(u.id)}
                          aria-label={`Deactivate ${u.email}`}
                        >
                          Deactivate
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </Stack>
  );
}

/** Today's date where the admin is (YYYY-MM-DD), for the list in force. */
function localToday(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

function PriceListsTab({ slug }: { slug: string }) {
  const queryClient = useQueryClient();
  const lists = useQuery({
    queryKey: ['price-lists', slug],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/vendors/{slug}/price-lists', { params: { path: { slug } } }))
        .items,
  });
  const [file, setFile] = useState<File | null>(null);
  const [effectiveFrom, setEffectiveFrom] = useState('');
  const upload = useMutation({
    mutationFn: async () => {
      const form = new FormData();
      form.append('file', file!);
      const query = effectiveFrom ? `?effectiveFrom=${encodeURIComponent(effectiveFrom)}` : '';
      return sendRaw('POST', `/api/v1/vendors/${slug}/price-lists${query}`, form, {
        'idempotency-key': idempotencyKey(),
      });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['price-lists', slug] }),
  });
  return (
    <Stack>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (file) upload.mutate();
        }}
      >
        <Stack gap="xs">
          <Title order={3} size="h4">
            Upload a price list
          </Title>
          <Group grow wrap="wrap" align="flex-start">
            <FileInput
              label="CSV or XLSX file"
              description="Columns: partNumber, name, type, category, listPrice"
              accept=".csv,.xlsx,text/csv"
              value={file}
              onChange={setFile}
              required
            />
            <TextInput
              label="Effective from"
              type="date"
              value={effectiveFrom}
              onChange={(e) => setEffectiveFrom(e.currentTarget.value)}
            />
          </Group>
          <Alert color="yellow" role="note" title="The upload replaces the price list">
            {replaceNote(priceListsInForce(lists.data ?? [], localToday()))}
          </Alert>
          {upload.isPending && <Text size="sm">Uploading and checking every row…</Text>}
          {upload.error && <ErrorList error={upload.error} />}
          {upload.isSuccess && (
            <Alert color="green" role="status">
              Price list imported.
            </Alert>
          )}
          <Button type="submit" w="fit-content" loading={upload.isPending} disabled={!file}>
            Upload
          </Button>
        </Stack>
      </form>
      <QueryState query={lists}>
        {(items) => (
          <Table.ScrollContainer minWidth={480}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Version</Table.Th>
                  <Table.Th>Currency</Table.Th>
                  <Table.Th>Effective from</Table.Th>
                  <Table.Th>Rows</Table.Th>
                  <Table.Th>File</Table.Th>
                  <Table.Th>Uploaded</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((l) => (
                  <Table.Tr key={l.id}>
                    <Table.Td>{l.version}</Table.Td>
                    <Table.Td>{l.currency}</Table.Td>
                    <Table.Td>{formatDate(l.effectiveFrom)}</Table.Td>
                    <Table.Td>{l.rowCount}</Table.Td>
                    <Table.Td>{l.sourceName ?? '—'}</Table.Td>
                    <Table.Td>{formatDateTime(l.createdAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </Stack>
  );
}

function ProfileTab({ slug }: { slug: string }) {
  const queryClient = useQueryClient();
  const source = useQuery({
    queryKey: ['profile-source', slug],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/vendors/{slug}/profile/source', { params: { path: { slug } } }),
      ),
  });
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    if (source.data && text === null) setText(source.data.source);
  }, [source.data, text]);
  const save = useMutation({
    mutationFn: async () =>
      sendRaw('PUT', `/api/v1/vendors/${slug}/profile`, text ?? '', {
        'content-type': source.data?.format === 'json' ? 'application/json' : 'application/yaml',
      }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['profile-source', slug] });
      await queryClient.invalidateQueries({ queryKey: ['profile', slug] });
    },
  });
  return (
    <QueryState query={source}>
      {(s) => (
        <Stack gap="xs">
          <Text size="sm">
            Version {s.version}, published {formatDateTime(s.createdAt)}. Errors name their line and
            column.
          </Text>
          <Textarea
            label="Vendor profile"
            value={text ?? ''}
            onChange={(e) => setText(e.currentTarget.value)}
            autosize
            minRows={12}
            maxRows={30}
            styles={{ input: { fontFamily: 'monospace', fontSize: 13 } }}
            spellCheck={false}
          />
          {save.error && <ErrorList error={save.error} />}
          {save.isSuccess && (
            <Alert color="green" role="status">
              Published a new version.
            </Alert>
          )}
          <Button w="fit-content" onClick={() => save.mutate()} loading={save.isPending}>
            Publish
          </Button>
        </Stack>
      )}
    </QueryState>
  );
}

function DeadLettersTab() {
  const queryClient = useQueryClient();
  const items = useQuery({
    queryKey: ['outbox', 'dead'],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/outbox', { params: { query: { status: 'dead' } } })).items,
  });
  const retry = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST('/api/v1/outbox/{id}/actions/retry', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['outbox'] }),
  });
  return (
    <QueryState query={items}>
      {(list) =>
        list.length === 0 ? (
          <Text c="dimmed">No dead letters: every message went out.</Text>
        ) : (
          <Table.ScrollContainer minWidth={640}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Subject</Table.Th>
                  <Table.Th>To</Table.Th>
                  <Table.Th>Attempts</Table.Th>
                  <Table.Th>Last error</Table.Th>
                  <Table.Th>Action</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((m) => (
                  <Table.Tr key={m.id}>
                    <Table.Td>{m.subject ?? m.topic}</Table.Td>
                    <Table.Td>{m.to.join(', ')}</Table.Td>
                    <Table.Td>{m.attempts}</Table.Td>
                    <Table.Td>{m.lastError ?? '—'}</Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        onClick={() => retry.mutate(m.id)}
                        aria-label={`Retry ${m.subject ?? m.id}`}
                      >
                        Retry
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )
      }
    </QueryState>
  );
}

function MultipliersPanel({ partnershipId, name }: { partnershipId: string; name: string }) {
  const queryClient = useQueryClient();
  const rules = useQuery({
    queryKey: ['multipliers', partnershipId],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/partnerships/{id}/multipliers', {
          params: { path: { id: partnershipId } },
        }),
      ),
  });
  const [multiplier, setMultiplier] = useState('');
  const [category, setCategory] = useState('');
  const [effectiveFrom, setEffectiveFrom] = useState(new Date().toISOString().slice(0, 10));
  const add = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/partnerships/{id}/multipliers', {
          params: {
            path: { id: partnershipId },
            header: { 'Idempotency-Key': idempotencyKey() },
          },
          body: { multiplier, category: category.trim() || null, effectiveFrom },
        }),
      ),
    onSuccess: async () => {
      setMultiplier('');
      await queryClient.invalidateQueries({ queryKey: ['multipliers', partnershipId] });
      await queryClient.invalidateQueries({ queryKey: ['partnerships'] });
    },
  });
  return (
    <Stack gap="xs" p="sm">
      <QueryState query={rules}>
        {(data) => (
          <Text size="sm">
            Default multiplier {data.default}
            {data.items.length > 0 &&
              `; rules: ${data.items
                .map(
                  (r) =>
                    `${r.multiplier} for ${r.category ?? 'every product'} from ${formatDate(r.effectiveFrom)}${r.effectiveTo ? ` to ${formatDate(r.effectiveTo)}` : ''}`,
                )
                .join('; ')}`}
          </Text>
        )}
      </QueryState>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <Group align="flex-end" wrap="wrap">
          <TextInput
            label={`New multiplier for ${name}`}
            placeholder="0.75"
            required
            value={multiplier}
            onChange={(e) => setMultiplier(e.currentTarget.value)}
          />
          <TextInput
            label="Category key (empty: every product)"
            value={category}
            onChange={(e) => setCategory(e.currentTarget.value)}
          />
          <TextInput
            label="Effective from"
            type="date"
            required
            value={effectiveFrom}
            onChange={(e) => setEffectiveFrom(e.currentTarget.value)}
          />
          <Button type="submit" loading={add.isPending}>
            Add multiplier
          </Button>
        </Group>
      </form>
      {add.error && <ErrorList error={add.error} />}
    </Stack>
  );
}

function fieldError(error: unknown, path: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return (
    error.problem.errors
      ?.filter((e) => e.path === path || e.path.startsWith(`${path}.`))
      .map((e) => e.message)
      .join(' ') || undefined
  );
}

const EMPTY_PARTNER = {
  name: '',
  legalName: '',
  agreementDate: '',
  multiplier: '',
  camEmail: '',
  invoicingName: '',
  invoicingEmail: '',
  provisioningCc: '',
  adminName: '',
  adminEmail: '',
};

/** A new tier-1 partner with its partnership (and, optionally, its first admin invited). */
function NewPartnerForm() {
  const queryClient = useQueryClient();
  const [v, setV] = useState(EMPTY_PARTNER);
  const [billing, setBilling] = useState(EMPTY_BILLING);
  const set = (key: keyof typeof EMPTY_PARTNER) => (e: React.ChangeEvent<HTMLInputElement>) => {
    const value = e.currentTarget.value;
    setV((old) => ({ ...old, [key]: value }));
  };
  const opt = (text: string) => (text.trim() ? text.trim() : undefined);
  const create = useMutation({
    mutationFn: async (billingInput: BillingInput | undefined) =>
      unwrap(
        await api.POST('/api/v1/partners', {
          params: { header: { 'Idempotency-Key': idempotencyKey() } },
          body: {
            name: v.name.trim(),
            tier: 1,
            ...(opt(v.legalName) ? { legalName: opt(v.legalName) } : {}),
            ...(opt(v.agreementDate) ? { agreementDate: opt(v.agreementDate) } : {}),
            ...(opt(v.multiplier) ? { multiplier: opt(v.multiplier) } : {}),
            ...(opt(v.camEmail) ? { camEmail: opt(v.camEmail) } : {}),
            ...(opt(v.invoicingName) || opt(v.invoicingEmail)
              ? {
                  invoicingContact: {
                    name: v.invoicingName.trim(),
                    email: v.invoicingEmail.trim(),
                  },
                }
              : {}),
            ...(opt(v.provisioningCc) ? { provisioningCc: opt(v.provisioningCc) } : {}),
            ...(opt(v.adminEmail)
              ? { admin: { name: v.adminName.trim(), email: v.adminEmail.trim() } }
              : {}),
            ...(billingInput ? { billing: billingInput } : {}),
          },
        }),
      ),
    onSuccess: async () => {
      setV(EMPTY_PARTNER);
      setBilling(EMPTY_BILLING);
      await queryClient.invalidateQueries({ queryKey: ['partnerships'] });
    },
  });
  const input = (key: keyof typeof EMPTY_PARTNER, label: string, path: string, type = 'text') => (
    <TextInput
      label={label}
      type={type}
      value={v[key]}
      onChange={set(key)}
      error={fieldError(create.error, path)}
      required={key === 'name'}
    />
  );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(billingInputOf(billing));
      }}
    >
      <Stack gap="xs">
        <Title order={3} size="h4">
          New partner
        </Title>
        <Group grow wrap="wrap" align="flex-start">
          {input('name', 'Partner name', 'name')}
          {input('legalName', 'Legal name', 'legalName')}
          {input('agreementDate', 'Agreement date', 'agreementDate', 'date')}
          {input('multiplier', 'Price multiplier', 'multiplier')}
        </Group>
        <Group grow wrap="wrap" align="flex-start">
          {input('camEmail', 'CAM e-mail', 'camEmail', 'email')}
          {input('invoicingName', 'Invoicing contact name', 'invoicingContact.name')}
          {input('invoicingEmail', 'Invoicing contact e-mail', 'invoicingContact.email', 'email')}
          {input('provisioningCc', 'Provisioning CC', 'provisioningCc', 'email')}
        </Group>
        <Group grow wrap="wrap" align="flex-start">
          {input('adminName', 'First admin name (optional)', 'admin.name')}
          {input('adminEmail', 'First admin e-mail (optional)', 'admin.email', 'email')}
        </Group>
        <BillingFields
          legend="Billing details (optional)"
          value={billing}
          onChange={setBilling}
          error={create.error}
        />
        {create.error &&
          !(create.error instanceof ApiError && create.error.problem.errors?.length) && (
            <ErrorList error={create.error} />
          )}
        {create.isSuccess &&
          (create.data.admin ? (
            <InvitationOutcome
              invitation={create.data.admin.invitation}
              sent="Partner created; its admin was invited."
            />
          ) : (
            <Alert color="green" role="status">
              Partner created.
            </Alert>
          ))}
        <Button type="submit" w="fit-content" loading={create.isPending}>
          Create partner
        </Button>
      </Stack>
    </form>
  );
}

/** A partnership's billing details as listed: country and tax ID, the address below. */
function BillingSummary({ billing }: { billing: Partnership['billing'] }) {
  if (!billing) return <Text size="sm">none</Text>;
  return (
    <>
      <Text size="sm">
        {billing.country}
        {billing.taxId && ` · tax ID ${billing.taxId}`}
      </Text>
      {billing.address && (
        <Text size="xs" c="dimmed">
          {formatBillingAddress(billing.address)}
        </Text>
      )}
    </>
  );
}

/** Changes (PATCH, replaced as a whole) or clears (null) a partnership's billing details. */
function BillingPanel({ partnership }: { partnership: Partnership }) {
  const queryClient = useQueryClient();
  const name = partnership.partner.name;
  const [draft, setDraft] = useState(() => billingDraftOf(partnership.billing));
  const save = useMutation({
    mutationFn: async (billing: BillingInput | null) =>
      unwrap(
        await api.PATCH('/api/v1/partnerships/{id}', {
          params: { path: { id: partnership.id } },
          body: { billing },
        }),
      ),
    onSuccess: async (updated) => {
      setDraft(billingDraftOf(updated.billing));
      await queryClient.invalidateQueries({ queryKey: ['partnerships'] });
    },
  });
  return (
    <form
      aria-label={`Billing of ${name}`}
      onSubmit={(e) => {
        e.preventDefault();
        // All empty is sent as an empty country, for the API to name the field it needs.
        save.mutate(billingInputOf(draft) ?? { country: '' });
      }}
    >
      <Stack gap="xs" p="sm">
        <BillingFields
          legend={`Billing details of ${name}`}
          value={draft}
          onChange={setDraft}
          error={save.error}
        />
        <WriteError error={save.error} shownAt={BILLING_FIELD_PATHS} />
        {save.isSuccess && (
          <Alert color="green" role="status">
            {save.variables ? 'Billing saved.' : 'Billing cleared.'}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending && save.variables !== null}>
            Save billing
          </Button>
          <Button
            variant="outline"
            color="red.9"
            loading={save.isPending && save.variables === null}
            disabled={!partnership.billing}
            onClick={() => save.mutate(null)}
          >
            Clear billing
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function PartnersTab({ slug }: { slug: string }) {
  const [open, setOpen] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const partnerships = usePartnerships(slug);
  return (
    <QueryState query={partnerships}>
      {(items) => (
        <Table.ScrollContainer minWidth={760}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Partner</Table.Th>
                <Table.Th>Tier</Table.Th>
                <Table.Th>Agreement</Table.Th>
                <Table.Th>Multiplier</Table.Th>
                <Table.Th>CAM</Table.Th>
                <Table.Th>Invoicing contact</Table.Th>
                <Table.Th>Billing</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((p) => (
                <Fragment key={p.id}>
                  <Table.Tr>
                    <Table.Td>
                      {p.partner.name}
                      {p.legalName && (
                        <Text size="xs" c="dimmed">
                          {p.legalName}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{p.tier}</Table.Td>
                    <Table.Td>{formatDate(p.agreementDate)}</Table.Td>
                    <Table.Td>
                      {p.multiplier ?? '—'}{' '}
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        onClick={() => setOpen(open === p.id ? null : p.id)}
                        aria-expanded={open === p.id}
                        aria-label={`Multipliers of ${p.partner.name}`}
                      >
                        Multipliers
                      </Button>
                      {open === p.id && (
                        <MultipliersPanel partnershipId={p.id} name={p.partner.name} />
                      )}
                    </Table.Td>
                    <Table.Td>{p.cam?.email ?? '—'}</Table.Td>
                    <Table.Td>{p.invoicingContact?.email ?? '—'}</Table.Td>
                    <Table.Td>
                      <BillingSummary billing={p.billing} />
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        onClick={() => setEditing(editing === p.id ? null : p.id)}
                        aria-expanded={editing === p.id}
                        aria-label={`Edit billing of ${p.partner.name}`}
                      >
                        Edit billing
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                  {editing === p.id && (
                    <Table.Tr>
                      <Table.Td colSpan={7}>
                        <BillingPanel partnership={p} />
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Fragment>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </QueryState>
  );
}

export default function AdminPage() {
  const me = useMe();
  const slug = me.vendor?.slug;
  if (!slug) return <Text>Administration is for vendor staff.</Text>;
  return (
    <Stack>
      <PageHeader title="Administration" />
      <Tabs defaultValue="partners" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="partners">Partners</Tabs.Tab>
          <Tabs.Tab value="users">Users</Tabs.Tab>
          <Tabs.Tab value="price-lists">Price lists</Tabs.Tab>
          <Tabs.Tab value="profile">Profile</Tabs.Tab>
          <Tabs.Tab value="dead-letters">Dead letters</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="partners" pt="md">
          <Stack gap="lg">
            <NewPartnerForm />
            <PartnersTab slug={slug} />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="users" pt="md">
          <UsersTab />
        </Tabs.Panel>
        <Tabs.Panel value="price-lists" pt="md">
          <PriceListsTab slug={slug} />
        </Tabs.Panel>
        <Tabs.Panel value="profile" pt="md">
          <ProfileTab slug={slug} />
        </Tabs.Panel>
        <Tabs.Panel value="dead-letters" pt="md">
          <DeadLettersTab />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

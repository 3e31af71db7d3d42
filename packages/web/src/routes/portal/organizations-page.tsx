import { useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Menu,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, ApiError, idempotencyKey, unwrap, type Customer } from '../../api/client';
import { useContacts, useCustomers, usePartnerships, useVendors } from '../../api/queries';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { humanize } from '../../lib/format';

const CONTACT_ROLES = ['site_admin', 'billing', 'technical'] as const;
type ContactRole = (typeof CONTACT_ROLES)[number];

function AddContactForm({ customerId, onDone }: { customerId: string; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [roles, setRoles] = useState<ContactRole[]>(['site_admin']);
  const add = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/customers/{id}/contacts', {
          params: { path: { id: customerId }, header: { 'Idempotency-Key': idempotencyKey() } },
          body: { name, email, roles },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['contacts', customerId] });
      onDone();
    },
  });
  const fieldError = (field: string) =>
    add.error instanceof ApiError
      ? add.error.problem.errors
          ?.filter((e) => e.path === field)
          .map((e) => e.message)
          .join(' ') || undefined
      : undefined;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <Stack gap="xs">
        <Group grow wrap="wrap">
          <TextInput
            label="Contact name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError('name')}
          />
          <TextInput
            label="Contact e-mail"
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={fieldError('email')}
          />
        </Group>
        <Checkbox.Group
          label="Contact roles"
          value={roles}
          onChange={setRoles}
          error={fieldError('roles')}
        >
          <Group mt={4}>
            {CONTACT_ROLES.map((r) => (
              <Checkbox key={r} value={r} label={humanize(r)} />
            ))}
          </Group>
        </Checkbox.Group>
        {add.error && !(add.error instanceof ApiError && add.error.problem.errors?.length) && (
          <Alert color="red" role="alert">
            {add.error.message}
          </Alert>
        )}
        <Group>
          <Button type="submit" size="xs" loading={add.isPending}>
            Save contact
          </Button>
          <Button size="xs" variant="default" onClick={onDone}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function OrganizationCard({ customer }: { customer: Customer }) {
  const navigate = useNavigate();
  const contacts = useContacts(customer.id);
  const partnerships = usePartnerships();
  const vendorNames = useVendors();
  const nameOf = (slug: string) =>
    vendorNames.data?.find((v) => v.slug === slug)?.name ?? humanize(slug);
  const [adding, setAdding] = useState(false);
  const vendors = partnerships.data ?? [];
  const titleId = `org-${customer.id}`;
  return (
    <Card withBorder padding="md" component="article" aria-labelledby={titleId}>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div>
          <Title order={3} size="h4" id={titleId}>
            {customer.name}
          </Title>
          <Text size="sm" c="dimmed">
            {[
              customer.domains.join(', '),
              customer.employeeCount ? `${customer.employeeCount} employees` : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </Text>
        </div>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <Button aria-label={`Place an order for ${customer.name}`}>Place an order</Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>Vendor</Menu.Label>
            {vendors.map((p) => (
              <Menu.Item
                key={p.vendor}
                onClick={() =>
                  void navigate(`/portal/organizations/${customer.id}/order?vendor=${p.vendor}`)
                }
              >
                {nameOf(p.vendor)}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
      </Group>
      <Stack gap={4} mt="sm">
        <Text fw={600} size="sm">
          Contacts
        </Text>
        <QueryState query={contacts}>
          {(items) =>
            items.length === 0 ? (
              <Text size="sm" c="dimmed">
                No contacts yet.
              </Text>
            ) : (
              <Stack gap={2}>
                {items.map((c) => (
                  <Group key={c.id} gap="xs">
                    <Text size="sm">
                      {c.name} &lt;{c.email}&gt;
                    </Text>
                    {c.roles.map((r) => (
                      <Badge key={r} size="xs" variant="outline">
                        {humanize(r)}
                      </Badge>
                    ))}
                  </Group>
                ))}
              </Stack>
            )
          }
        </QueryState>
        {adding ? (
          <AddContactForm customerId={customer.id} onDone={() => setAdding(false)} />
        ) : (
          <Button
            size="xs"
            variant="subtle"
            w="fit-content"
            onClick={() => setAdding(true)}
            aria-label={`Add contact to ${customer.name}`}
          >
            Add contact
          </Button>
        )}
      </Stack>
    </Card>
  );
}

export default function OrganizationsPage() {
  const customers = useCustomers();
  return (
    <Stack>
      <PageHeader title="Organizations" />
      <QueryState query={customers}>
        {(items) =>
          items.length === 0 ? (
            <Text c="dimmed">No customer organizations yet.</Text>
          ) : (
            <Stack>
              {items.map((c) => (
                <OrganizationCard key={c.id} customer={c} />
              ))}
            </Stack>
          )
        }
      </QueryState>
    </Stack>
  );
}

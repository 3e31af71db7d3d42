import {
  ActionIcon,
  AppShell,
  Burger,
  Button,
  Center,
  Group,
  Loader,
  NavLink,
  Text,
  Title,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import type { Me } from '../api/client';
import { useProfile } from '../api/queries';
import { hasRole, isPartner, useMe, useSession } from '../session/session';
import { MoonIcon, SunIcon } from '../components/icons';

interface NavItem {
  to: string;
  label: string;
}

function navFor(me: Me, licensing: boolean): NavItem[] {
  if (isPartner(me)) {
    return [
      { to: '/portal', label: 'Dashboard' },
      { to: '/portal/organizations', label: 'Organizations' },
      { to: '/orders', label: 'Orders' },
      { to: '/quotes', label: 'Quotes' },
      { to: '/invoices', label: 'Invoices' },
      { to: '/returns', label: 'Returns' },
    ];
  }
  const items: NavItem[] = [
    { to: '/desk', label: 'Queues' },
    { to: '/orders', label: 'Orders' },
    { to: '/quotes', label: 'Quotes' },
  ];
  if (hasRole(me, 'order_desk', 'vendor_admin')) items.push({ to: '/intake', label: 'Intake' });
  items.push(
    { to: '/sla', label: 'SLA' },
    { to: '/invoices', label: 'Invoices' },
    { to: '/returns', label: 'Returns' },
    { to: '/catalog', label: 'Catalog' },
  );
  if (licensing) items.push({ to: '/licenses', label: 'Licenses' });
  if (hasRole(me, 'vendor_admin')) items.push({ to: '/admin', label: 'Administration' });
  return items;
}

/** Only for a logged-in user: anyone else goes to the log-in page, and comes back after. */
export function RequireLogin() {
  const { me, loading } = useSession();
  const location = useLocation();
  if (loading) {
    return (
      <Center h="100vh">
        <Loader role="status" aria-label="Loading" />
      </Center>
    );
  }
  if (!me) {
    const next = location.pathname + location.search;
    return (
      <Navigate to={`/login${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`} replace />
    );
  }
  return <Outlet />;
}

export function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light');
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <ActionIcon
      variant="default"
      size="lg"
      onClick={() => setColorScheme(next)}
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
    >
      {computed === 'dark' ? <SunIcon /> : <MoonIcon />}
    </ActionIcon>
  );
}

export function AppLayout() {
  const me = useMe();
  const { logOut } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure();
  // Only a vendor that licenses its products (edgeworks) has the licenses report.
  const profile = useProfile(me.vendor?.slug);
  const items = navFor(me, !!profile.data?.licensing);
  const org = me.partner?.name ?? me.vendor?.name ?? '';
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Title order={1} size="h4">
              <Link to="/" style={{ color: 'inherit', textDecoration: 'none' }}>
                OrderDesk
              </Link>
            </Title>
            <Text size="sm" c="dimmed" visibleFrom="xs">
              {org}
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" visibleFrom="md">
              {me.name}
            </Text>
            <ColorSchemeToggle />
            <Button
              variant="default"
              size="sm"
              onClick={() => {
                void logOut().then(() => navigate('/login'));
              }}
            >
              Log out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {items.map((item) => (
          <NavLink
            key={item.to}
            component={Link}
            to={item.to}
            label={item.label}
            active={
              location.pathname === item.to ||
              (item.to !== '/portal' && location.pathname.startsWith(`${item.to}/`))
            }
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main id="main">
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

import {
  Content,
  Header,
  InfoCard,
  Link,
  Page,
} from '@backstage/core-components';
import { HomePageStarredEntities } from '@backstage/plugin-home';
import { HomePageLayoutProps } from '@backstage/plugin-home-react/alpha';
import { HomePageSearchBar } from '@backstage/plugin-search';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';

const DELIVERY_LINKS = [
  {
    title: 'Fleet',
    to: '/slipway/fleet',
    description: 'Every service and what runs where',
  },
  {
    title: 'Promotions',
    to: '/slipway/promotions',
    description: 'Promotions in flight and waiting for approval',
  },
  {
    title: 'Policies',
    to: '/slipway/policies',
    description: 'The gates each environment asks for',
  },
  { title: 'Catalog', to: '/catalog', description: 'All software' },
  { title: 'Create', to: '/create', description: 'Scaffold a new service' },
];

/**
 * The home page: a fixed layout (not the editable widget grid) with search,
 * the user's starred entities and the delivery pages. The home plugin's
 * optional widgets (jokes, clocks, …) are not shown.
 */
export function SlipwayHomeLayout(_props: HomePageLayoutProps) {
  return (
    <Page themeId="home">
      <Header title="Slipway" subtitle="Build once, deploy many" />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <HomePageSearchBar
              placeholder="Search services, docs and templates"
              inputProps={{ 'aria-label': 'Search' }}
            />
          </Grid>
          <Grid item xs={12} md={6}>
            <HomePageStarredEntities title="Starred entities" />
          </Grid>
          <Grid item xs={12} md={6}>
            <InfoCard title="Delivery">
              <List dense aria-label="Delivery pages">
                {DELIVERY_LINKS.map(link => (
                  <ListItem key={link.to} disableGutters>
                    <ListItemText
                      primary={<Link to={link.to}>{link.title}</Link>}
                      secondary={link.description}
                    />
                  </ListItem>
                ))}
              </List>
            </InfoCard>
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}

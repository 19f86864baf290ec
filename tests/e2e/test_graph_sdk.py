"""An administrator's script written with the Microsoft Graph SDK for Python (msgraph-sdk, over
kiota), run against a real `tandem serve` (issue 16, decision 0026): the SDK's own URLs, query
encoding (`%24filter`, `%40` in a path), headers and models, with the token Tandem issued.

The SDK normally signs in with azure-identity; here a kiota `AccessTokenProvider` hands it the
token from `tandem admin token`, and the request adapter's base URL points at the loopback server
(kiota's bearer provider refuses plain http only in azure-identity's provider, not in a custom one;
its allowed-hosts validator, which compares host names without the port, is given 127.0.0.1)."""

import asyncio

import pytest
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import AccessTokenProvider, AllowedHostsValidator, BaseBearerTokenAuthenticationProvider
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.headers_collection import HeadersCollection
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.audit_logs.sign_ins.sign_ins_request_builder import SignInsRequestBuilder
from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder
from msgraph.generated.models.group import Group
from msgraph.generated.models.password_profile import PasswordProfile
from msgraph.generated.models.reference_create import ReferenceCreate
from msgraph.generated.models.user import User
from msgraph.generated.users.users_request_builder import UsersRequestBuilder

from conftest import PASSWORD, TANDEM, Browser, run


class TandemToken(AccessTokenProvider):
    """The token Tandem issued, for Tandem's host only."""

    def __init__(self, token, host):
        self.token = token
        self.hosts = AllowedHostsValidator([host])

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return self.token if self.hosts.is_url_host_valid(uri) else ""

    def get_allowed_hosts_validator(self):
        return self.hosts


def graph_client(server, token):
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(TandemToken(token, "127.0.0.1")))
    adapter.base_url = f"{server.url}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


def admin_token(server, role="Global Administrator", upn="admin@contoso.com"):
    run([TANDEM, "users", "add", upn, "--password", PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    run([TANDEM, "admin", "roles", "assign", role, upn, "--database", server.db])
    return run([TANDEM, "admin", "token", "--user", upn, "--database", server.db]).stdout.strip()


def eventual(query_parameters):
    headers = HeadersCollection()
    headers.add("ConsistencyLevel", "eventual")
    return RequestConfiguration(query_parameters=query_parameters, headers=headers)


def users_query(**kwargs):
    return RequestConfiguration(query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(**kwargs))


def test_an_administrators_script_with_the_graph_sdk(server):
    # A failed sign-in for the log, before the script runs.
    browser = Browser(server)
    browser.start("alice@contoso.com")
    assert browser.password("not the password").status_code in (200, 400, 401)

    client = graph_client(server, admin_token(server))

    async def script():
        # Create two users and a group holding one of them.
        for upn, name in [("bob@contoso.com", "Bob Builder"), ("carol@contoso.com", "Carol Jones")]:
            created = await client.users.post(User(
                account_enabled=True, display_name=name, mail_nickname=upn.split("@")[0], user_principal_name=upn,
                password_profile=PasswordProfile(force_change_password_next_sign_in=False, password="xWwvJ]6NMw+bWH-d")))
            assert created.user_principal_name == upn and created.id
        group = await client.groups.post(Group(display_name="Pilot", mail_enabled=False, mail_nickname="pilot",
                                               security_enabled=True, group_types=[]))
        # Get a user by UPN: the SDK sends /users/bob%40contoso.com.
        bob = await client.users.by_user_id("bob@contoso.com").get()
        assert bob.display_name == "Bob Builder"
        await client.groups.by_group_id(group.id).members.ref.post(
            ReferenceCreate(odata_id=f"https://graph.microsoft.com/v1.0/directoryObjects/{bob.id}"))

        # Filter, then act on exactly what the filter selected.
        found = await client.users.get(users_query(filter="userPrincipalName eq 'bob@contoso.com'"))
        assert [u.user_principal_name for u in found.value] == ["bob@contoso.com"]
        some = await client.users.get(users_query(filter="startswith(displayName,'Carol') or userPrincipalName in ('bob@contoso.com')",
                                                  select=["id", "userPrincipalName"], top=1))
        assert len(some.value) == 1 and some.odata_next_link
        for user in found.value:
            await client.users.by_user_id(user.user_principal_name).patch(User(account_enabled=False))
        ordered = await client.users.get(users_query(orderby=["displayName desc"], select=["displayName"]))
        assert [u.display_name for u in ordered.value] == sorted((u.display_name for u in ordered.value), key=str.lower, reverse=True)
        disabled = await client.users.get(users_query(filter="accountEnabled eq false"))
        assert [u.user_principal_name for u in disabled.value] == ["bob@contoso.com"]

        # $search and $count need ConsistencyLevel: eventual, as in Graph.
        searched = await client.users.get(eventual(UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            search='"displayName:carol"', count=True)))
        assert [u.user_principal_name for u in searched.value] == ["carol@contoso.com"] and searched.odata_count == 1
        counted = await client.users.count.get(eventual(None))
        assert counted == 4   # alice, admin, bob, carol

        # A filter Tandem cannot run is Graph's 400, not everyone.
        with pytest.raises(APIError) as refused:
            await client.users.get(users_query(filter="nonsense"))
        assert refused.value.response_status_code == 400
        with pytest.raises(APIError) as refused:
            await client.users.get(users_query(search='"displayName:carol"'))
        assert refused.value.response_status_code == 400

        # Groups, members, $expand, a user's memberOf and methods.
        groups = await client.groups.get(RequestConfiguration(query_parameters=GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(
            filter="displayName eq 'Pilot'", expand=["members"])))
        assert [g.id for g in groups.value] == [group.id]
        assert [m.id for m in groups.value[0].members] == [bob.id]
        members = await client.groups.by_group_id(group.id).members.get()
        assert [m.id for m in members.value] == [bob.id]
        member_of = await client.users.by_user_id("bob@contoso.com").member_of.get()
        assert [g.id for g in member_of.value] == [group.id] and member_of.value[0].odata_type == "#microsoft.graph.group"
        methods = await client.users.by_user_id("bob@contoso.com").authentication.methods.get()
        assert [m.odata_type for m in methods.value] == ["#microsoft.graph.passwordAuthenticationMethod"]
        assert type(methods.value[0]).__name__ == "PasswordAuthenticationMethod"

        me = await client.me.get()
        assert me.user_principal_name == "admin@contoso.com"

        # Sign-in logs with a filter.
        failures = await client.audit_logs.sign_ins.get(RequestConfiguration(
            query_parameters=SignInsRequestBuilder.SignInsRequestBuilderGetQueryParameters(
                filter="userPrincipalName eq 'alice@contoso.com' and status/errorCode ne 0")))
        assert failures.value and all(s.user_principal_name == "alice@contoso.com" and s.status.error_code != 0 for s in failures.value)

    asyncio.run(script())


def test_the_sdk_without_an_admin_role_is_refused(server):
    """A user without a role gets 403 from every call the script makes, /me included."""
    run([TANDEM, "users", "add", "mallory@contoso.com", "--password", PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    admin = admin_token(server, role="Authentication Administrator", upn="helpdesk@contoso.com")
    # The role is taken away after the token was issued: the store is the truth at each request.
    run([TANDEM, "admin", "roles", "remove", "Authentication Administrator", "helpdesk@contoso.com", "--database", server.db])
    client = graph_client(server, admin)

    async def script():
        for call in [lambda: client.me.get(),
                     lambda: client.users.get(users_query(filter="userPrincipalName eq 'alice@contoso.com'")),
                     lambda: client.users.by_user_id("alice@contoso.com").member_of.get(),
                     lambda: client.users.by_user_id("alice@contoso.com").authentication.methods.get()]:
            with pytest.raises(APIError) as refused:
                await call()
            assert refused.value.response_status_code == 403

    asyncio.run(script())

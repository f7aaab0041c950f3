/*
 * ACL calls: putObjectAcl with a canned ACL, getObjectAcl, putBucketAcl with a whole
 * AccessControlPolicy, getBucketAcl; and a mix of both ways, refused.
 *
 * argv[1] is a key prefix.
 */
#include "common.h"

#define OWNER "qcs::cam::uin/100000000001:uin/100000000001"
#define READER "qcs::cam::uin/100000000002:uin/100000000002"
#define ALL_USERS "http://cam.qcloud.com/groups/global/AllUsers"

/* Prints the grants of an ACL output. */
static void print_grants(const char *what, const cos_output *out) {
    const cos_value *grants = cos_output_get(out, "Grants");
    size_t i;
    for (i = 0; i < cos_value_count(grants); i++) {
        const cos_value *g = cos_value_at(grants, i);
        const cos_value *grantee = cos_value_get(g, "Grantee");
        const cos_value *who = cos_value_get(grantee, "URI") != NULL ? cos_value_get(grantee, "URI")
                                                                     : cos_value_get(grantee, "ID");
        const char *name = NULL;
        check(cos_value_str(who, &name, NULL), "grantee");
        printf("%s grant %s %s\n", what, name, str_of(g, "Permission"));
    }
}

int main(int argc, char **argv) {
    const char *prefix = argc > 1 ? argv[1] : "acl/";
    char key[512];
    cos_client *client = client_from_env();
    cos_params *p = cos_params_new();
    cos_output *out = NULL;

    snprintf(key, sizeof key, "%spublic.txt", prefix);
    check(cos_params_set(p, "Key", key), "set Key");
    check(cos_client_put_object(client, p, NULL, &out), "putObject (empty)");
    cos_output_free(out);

    /* a canned ACL on the object */
    check(cos_params_set(p, "ACL", "public-read"), "set ACL");
    check(cos_client_put_object_acl(client, p, &out), "putObjectAcl");
    cos_output_free(out);
    check(cos_params_set(p, "ACL", NULL), "unset ACL");
    check(cos_client_get_object_acl(client, p, &out), "getObjectAcl");
    printf("object owner %s\n", str_of(cos_output_get(out, "Owner"), "ID"));
    print_grants("object", out);
    cos_output_free(out);

    /* a whole policy on the bucket: the owner, a reader, everyone may read */
    check(cos_params_clear(p), "clear");
    check(cos_params_set_acl_owner(p, OWNER, NULL), "owner");
    check(cos_params_add_acl_grant(p, NULL, OWNER, NULL, NULL, "FULL_CONTROL"), "grant");
    check(cos_params_add_acl_grant(p, NULL, READER, NULL, NULL, "READ"), "grant");
    check(cos_params_add_acl_grant(p, "Group", NULL, ALL_USERS, NULL, "READ"), "grant");
    check(cos_client_put_bucket_acl(client, p, &out), "putBucketAcl");
    cos_output_free(out);

    /* headers and a policy at once: refused before anything is sent */
    check(cos_params_set(p, "ACL", "private"), "set ACL");
    expect_failure(cos_client_put_bucket_acl(client, p, &out), COS_RESULT_INVALID_PARAMETER, "ACL and a policy");

    check(cos_params_clear(p), "clear");
    check(cos_client_get_bucket_acl(client, p, &out), "getBucketAcl");
    print_grants("bucket", out);
    cos_output_free(out);

    /* back to private */
    check(cos_params_set(p, "ACL", "private"), "set ACL");
    check(cos_client_put_bucket_acl(client, p, &out), "putBucketAcl private");
    cos_output_free(out);

    cos_params_free(p);
    cos_client_free(client);
    return 0;
}

#!/bin/bash
mysql -u root -p app < schema.sql
mysql -h db -P 3306 -u root -p
mysql -uroot -p"$MYSQL_ROOT_PASSWORD" app
mysql -uroot -p${MYSQL_PASSWORD} app
mysqldump --password="${DB_PASSWORD}" app > app.sql
mysql_config --cflags -pthread
docker run -d -p 8080:80 -p 5432:5432 nginx
echo "$CI_TOKEN" | docker login --password-stdin -u ci registry.example.com
docker login -u ci -p "$REGISTRY_PASSWORD" registry.example.com
sshpass -e ssh deploy@build.example.com
sshpass -f ~/.sshpass ssh deploy@build.example.com
curl -u "$USER:$PASSWORD" https://api.example.com/
curl -u admin https://api.example.com/
curl --user-agent "reviewbot/1.0" https://api.example.com/
keytool -list -keystore app.jks -storepass:env KEYSTORE_PASSWORD
openssl pkcs12 -export -in cert.pem -out cert.p12 -passout env:P12_PASSWORD
openssl rsa -in key.pem -passin file:/run/secrets/key_pass -out plain.pem
ssh-keygen -t ed25519 -N "" -f deploy_key
gpg --batch --passphrase-file /run/secrets/gpg --decrypt secrets.gpg
gpg --batch --passphrase-fd 0 --decrypt secrets.gpg
psql --no-password -h db app
ssh -p 2222 deploy@build.example.com
redis-cli -h cache --askpass ping
mongosh --host db -u admin -p --authenticationDatabase admin
docker run -d -e POSTGRES_PASSWORD="$POSTGRES_PASSWORD" -p 5432:5432 postgres:16
docker login ghcr.io -u "${{ github.actor }}" -p ${{ secrets.GITHUB_TOKEN }}
kubectl create secret generic db --from-literal=password="$(openssl rand -hex 16)"
helm install db bitnami/postgresql --set auth.postgresPassword="${PG_PASSWORD}"
ssh -o PasswordAuthentication=no deploy@build.example.com

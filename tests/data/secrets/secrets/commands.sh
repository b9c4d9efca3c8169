#!/bin/bash
set -euo pipefail
mysql -h db -u root -p⟦Fk‖Ck7FeR-v7eled⟧ app < schema.sql
mysqldump --user=backup --password=⟦Fk‖HRZHeD-57z635⟧ app > app.sql
mysqladmin -uroot -p'⟦Fk‖2gyjni-p1o2iv⟧' status
PGPASSWORD=⟦Fk‖sTMS2n-nreb12⟧ psql -h db -U app -c 'select 1'
psql "postgresql://app:⟦Fk‖o8IrKL-s0uk8q⟧@db:5432/app"
sshpass -p '⟦Fk‖WwRgmA-o8itl6⟧' ssh deploy@build.example.com
curl -fsS -u deployer:⟦Fk‖HVtIgI-rn82fk⟧ https://repo.example.com/upload
curl --user "ci:⟦Fk‖waEWnr-rhluir⟧" https://api.example.com/
docker login -u ci -p ⟦Fk‖LT28us-m85940⟧ registry.example.com
docker login --username ci --password ⟦Fk‖Kr1jwF-khpda2⟧ registry.example.com
redis-cli -h cache -a ⟦Fk‖bEjqua-zkrti2⟧ ping
mongosh --host db -u admin -p ⟦Fk‖MCgLv8-d4uh7k⟧ --authenticationDatabase admin
keytool -importkeystore -srckeystore in.p12 -srcstorepass ⟦Fk‖Zna7rj-mp51w5⟧ -destkeystore out.jks -deststorepass ⟦Fk‖KA0say-0j7qw6⟧
openssl pkcs12 -export -in cert.pem -out cert.p12 -passout pass:⟦Fk‖xomRXK-dao0fm⟧
ssh-keygen -t ed25519 -N '⟦Fk‖lKj4hq-og5s7a⟧' -f deploy_key
java -Djavax.net.ssl.keyStorePassword=⟦Fk‖ZDF0yT-lzgdqn⟧ -jar app.jar
gpg --batch --passphrase ⟦Fk‖0f1Ezn-1uw14m⟧ --decrypt secrets.gpg
docker run -d -e POSTGRES_PASSWORD=⟦Fk‖Ua5gTe-c3nw9k⟧ -p 5432:5432 postgres:16
kubectl create secret generic db --from-literal=username=app --from-literal=password=⟦Fk‖Ep8hWs-v2kq6r⟧
helm install db bitnami/postgresql --set auth.postgresPassword=⟦Fk‖Kt3dMz-j7xb5p⟧
export SMTP_PASSWORD="⟦Fk‖Yq4nBd w8xt3 Lm2cRv⟧"
echo "machine imap.example.com login bob port imaps password ⟦Fk‖Hs7rVq-d4mz2n⟧" >> ~/.netrc
